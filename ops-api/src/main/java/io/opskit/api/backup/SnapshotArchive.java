package io.opskit.api.backup;

import java.io.IOException;
import java.io.InputStream;

/**
 * One source of a stored backup, opened for a {@link RestoreStrategy}: its decrypted, decompressed
 * snapshot stream (exactly what the source's {@link BackupSource#writeSnapshot} wrote) and what
 * the manifest records about it.
 *
 * <p>The stream's bytes are authenticated segment by segment as they are read, but only
 * {@link #finish()} proves the whole: that nothing was cut off the end and the stored object
 * matches the manifest's size and checksum. A strategy must call {@code finish()} after reading and
 * before it makes anything it wrote visible at the target; when {@code finish()} throws, whatever
 * it wrote must be discarded. Used by one thread; not to be kept after the strategy returns.
 */
public interface SnapshotArchive {

    /**
     * The id of the backup.
     *
     * @return the backup id
     */
    String backupId();

    /**
     * The source's name in the backup ({@link BackupSource#name()}).
     *
     * @return the source name
     */
    String sourceName();

    /**
     * The source's kind ({@link BackupSource#kind()}).
     *
     * @return the kind
     */
    String kind();

    /**
     * The snapshot's size in bytes as the manifest records it.
     *
     * @return bytes, zero or more
     */
    long snapshotBytes();

    /**
     * Whether this backup's latest verification was a passed test restore (level 3), so that a
     * strategy may skip a check the same bytes already passed.
     *
     * @return true when the latest verification passed at level 3
     */
    boolean testRestored();

    /**
     * The snapshot stream. Do not close it; the engine does.
     *
     * @return the decrypted, decompressed snapshot
     */
    InputStream snapshot();

    /**
     * Reads what is left of the snapshot and proves the stored object whole. Idempotent.
     *
     * @throws IOException when the archive fails authentication, is cut short or does not match
     *                     the manifest; the engine reports it as a corrupt backup
     */
    void finish() throws IOException;
}
