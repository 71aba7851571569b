package io.opskit.ratelimit.budget;

import io.opskit.api.internal.SqlDialect;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Takes SQLite's database write lock for one writer's transactions so that writers in several
 * processes get turns, instead of the one that holds it taking it again and again.
 *
 * <p>Why: SQLite's busy handler sleeps ever longer (1, 2, 5, 10 ... 100 ms) between looks at the
 * lock, while a busy writer releases it for a few microseconds between two transactions; a waiting
 * process almost never looks at the right moment, and one replica admitted 0 of 907 calls.
 *
 * <ul>
 *   <li>A transaction starts with {@code BEGIN IMMEDIATE} (the write lock up front, so no statement
 *       inside it waits), tried with SQLite's busy handler off and retried every 0.1–0.5 ms (at
 *       random) until the lock timeout;</li>
 *   <li>a writer that sees another process write too ({@code PRAGMA data_version} changed since its
 *       last transaction, or it had to wait for the lock) pauses 1 ms after each commit before it
 *       asks again: a window in which the other process's next look finds the lock free. Alone, a
 *       writer never pauses.</li>
 * </ul>
 * Used by the writer's thread only.
 */
final class SqliteWriteLock {

    private static final long HAND_OFF_NANOS = 1_000_000;
    private static final long MIN_RETRY_NANOS = 100_000;
    private static final long MAX_RETRY_NANOS = 500_000;

    private final long lockMillis;
    private boolean inTransaction;
    private boolean othersWrite;
    private long lastDataVersion = Long.MIN_VALUE;
    private long committedAt;

    SqliteWriteLock(long lockMillis) {
        this.lockMillis = lockMillis;
    }

    /** A new connection: what the last one saw no longer tells anything. */
    void newConnection() {
        inTransaction = false;
        othersWrite = false;
        lastDataVersion = Long.MIN_VALUE;
    }

    /**
     * Starts a write transaction holding the database's write lock.
     *
     * @throws SQLException SQLITE_BUSY when the lock stayed taken for the lock timeout
     */
    void begin(Connection c) throws SQLException {
        if (othersWrite) {
            long wait = committedAt + HAND_OFF_NANOS - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
        long deadline = System.nanoTime() + lockMillis * 1_000_000L;
        boolean waited = false;
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 0");
            try {
                for (;;) {
                    try {
                        s.execute("BEGIN IMMEDIATE");
                        inTransaction = true;
                        break;
                    } catch (SQLException e) {
                        if (!SqlDialect.SQLITE.isTransient(e) || System.nanoTime() - deadline > 0) {
                            throw e;
                        }
                        waited = true;
                        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(MIN_RETRY_NANOS, MAX_RETRY_NANOS));
                    }
                }
            } finally {
                s.execute("PRAGMA busy_timeout = " + lockMillis); // a commit waits for readers as usual
            }
            long version;
            try (ResultSet rs = s.executeQuery("PRAGMA data_version")) {
                rs.next();
                version = rs.getLong(1);
            }
            othersWrite = waited || (lastDataVersion != Long.MIN_VALUE && version != lastDataVersion);
            lastDataVersion = version;
        }
    }

    /** Commits the transaction and releases the lock. */
    void commit(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("COMMIT");
        }
        inTransaction = false;
        committedAt = System.nanoTime();
    }

    /** Rolls back a transaction in progress, if any. */
    void rollback(Connection c) throws SQLException {
        if (inTransaction) {
            inTransaction = false;
            try (Statement s = c.createStatement()) {
                s.execute("ROLLBACK");
            }
        }
    }
}
