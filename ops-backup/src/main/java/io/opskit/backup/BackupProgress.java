package io.opskit.backup;

/**
 * Receives progress of a backup or restore: snapshot bytes processed so far. Called from the
 * pipeline's thread at most a few times a second and once at the end; must be quick and must not
 * throw (an exception is logged once and further updates are dropped).
 */
@FunctionalInterface
public interface BackupProgress {

    /** Ignores progress. */
    BackupProgress NONE = (done, total, rate) -> { };

    /**
     * Reports progress.
     *
     * @param bytesDone      snapshot bytes processed so far
     * @param bytesTotal     the expected total, or -1 when unknown (a PostgreSQL dump)
     * @param bytesPerSecond the average rate since the start
     */
    void update(long bytesDone, long bytesTotal, double bytesPerSecond);
}
