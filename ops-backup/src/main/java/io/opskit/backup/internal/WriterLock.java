package io.opskit.backup.internal;

/** The repository's writer lock, wherever it lives (a lock file, or an object in the store). */
public interface WriterLock extends AutoCloseable {

    /** True while the lock is still ours as far as this writer knows. */
    boolean held();

    /** Releases the lock if it is still ours; idempotent. */
    @Override
    void close();
}
