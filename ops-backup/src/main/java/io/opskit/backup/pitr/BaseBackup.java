package io.opskit.backup.pitr;

import java.time.Instant;
import java.util.Objects;

/**
 * What the archive records about one base backup taken with {@code pg_basebackup}: where its WAL
 * begins and ends, on which timeline, and when. A restore from it can reach any moment from
 * {@code stoppedAt} (its consistency point) to the end of the contiguous WAL after it. Immutable.
 *
 * @param backupId   the id of the backup in the repository that holds its data
 * @param sourceName the name of its {@code pg-base} source within that backup
 * @param timeline   the timeline it was taken on
 * @param startLsn   the checkpoint location its replay starts from
 * @param stopLsn    the location where it becomes consistent
 * @param startedAt  when {@code pg_basebackup} started
 * @param stoppedAt  when it finished (at or after the consistency point)
 */
public record BaseBackup(String backupId, String sourceName, long timeline, Lsn startLsn, Lsn stopLsn,
                         Instant startedAt, Instant stoppedAt) {

    /** Checks the arguments. */
    public BaseBackup {
        Objects.requireNonNull(backupId, "backupId");
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(startLsn, "startLsn");
        Objects.requireNonNull(stopLsn, "stopLsn");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(stoppedAt, "stoppedAt");
        if (stopLsn.compareTo(startLsn) < 0) {
            throw new IllegalArgumentException("stopLsn must not be before startLsn: " + stopLsn + " < " + startLsn);
        }
        if (timeline < 1) {
            throw new IllegalArgumentException("timeline must be positive: " + timeline);
        }
    }
}
