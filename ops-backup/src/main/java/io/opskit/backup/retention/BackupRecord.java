package io.opskit.backup.retention;

import java.time.Instant;
import java.util.Objects;

/**
 * What retention planning needs to know about one stored backup.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id        the backup's id in its repository; not blank
 * @param createdAt when the backup was taken (the snapshot time, not the upload time)
 * @param verified  whether the backup passed verification at the repository's configured level;
 *                  only verified backups fill keep slots
 */
public record BackupRecord(String id, Instant createdAt, boolean verified) {

    /**
     * Validates the record.
     *
     * @throws NullPointerException     when {@code id} or {@code createdAt} is null
     * @throws IllegalArgumentException when {@code id} is blank
     */
    public BackupRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(createdAt, "createdAt");
        if (id.isBlank()) {
            throw new IllegalArgumentException("id must not be blank: '" + id + "'");
        }
    }
}
