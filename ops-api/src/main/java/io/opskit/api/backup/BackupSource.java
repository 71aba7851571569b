package io.opskit.api.backup;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Something that can be backed up: a database or a set of files, written out as one consistent
 * snapshot stream.
 *
 * <p>Implementations must be safe to call from one thread at a time per instance; a source may be
 * used for many backups over its life. The snapshot must be consistent: a database snapshot taken
 * while writers are active must reflect one committed state.
 */
public interface BackupSource {

    /**
     * A short, stable name for this source within a backup ({@code "app-db"}, {@code "config"}),
     * made of letters, digits, {@code .}, {@code _} and {@code -}. It names the source's entry in
     * the backup manifest.
     */
    String name();

    /**
     * The kind of source, used to pick a restore strategy: {@code "sqlite"}, {@code "postgres"},
     * {@code "files"}, or an extension's own kind.
     */
    String kind();

    /**
     * Writes one consistent snapshot to {@code out}. Does not close {@code out}.
     *
     * @param out where to write the snapshot bytes; never null
     * @throws IOException when the snapshot cannot be taken or written; the message says why and
     *         holds no secret (no password, no connection string with credentials)
     */
    void writeSnapshot(OutputStream out) throws IOException;
}
