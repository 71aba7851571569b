package io.opskit.ratelimit.budget;

import io.opskit.api.internal.SqlDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executor;

/**
 * The timeouts that keep a budget-store session from wedging every replica: a session whose
 * network stalls mid-transaction must not keep the period row locked, and a healthy replica must
 * not wait on that lock without bound.
 *
 * <ul>
 *   <li>PostgreSQL: {@code lock_timeout} (a waiter gives up), {@code statement_timeout}, and
 *       {@code idle_in_transaction_session_timeout} (the server ends a session that holds a
 *       transaction open while its client is silent, which releases its row locks);</li>
 *   <li>MariaDB: {@code innodb_lock_wait_timeout} (whole seconds), {@code max_statement_time} and
 *       {@code idle_transaction_timeout} (whole seconds; MySQL has no such limit and goes without);</li>
 *   <li>SQLite: {@code busy_timeout} (how long a writer waits for the database lock);</li>
 *   <li>every driver: a JDBC network timeout ({@link Connection#setNetworkTimeout}), so a read on a
 *       half-open socket fails instead of blocking the writer thread.</li>
 * </ul>
 *
 * The idle-in-transaction limit equals the lock timeout: a session silent that long inside a
 * transaction has a client that is gone (the writer's own transactions wait for nothing but the
 * database), and a waiter that gave up at its lock timeout finds the row free when it retries.
 *
 * <p>Set when the writer takes a connection, reset when it gives it back to the host's pool.
 * PostgreSQL and MariaDB settings are the server's documented session variables.
 */
final class SessionTimeouts {

    private static final Executor DIRECT = Runnable::run;
    /** MySQL's ER_UNKNOWN_SYSTEM_VARIABLE. */
    private static final int UNKNOWN_SYSTEM_VARIABLE = 1193;

    private final SqlDialect dialect;
    private final long lockMillis;
    private final long statementMillis;
    private final long idleMillis;
    private final long networkMillis;

    /** @param operationTimeout the store's operation timeout: every limit derives from it */
    SessionTimeouts(SqlDialect dialect, Duration operationTimeout) {
        this.dialect = dialect;
        long op = Math.max(1_000, operationTimeout.toMillis());
        this.lockMillis = Math.max(500, op / 2);
        this.statementMillis = op;
        this.idleMillis = lockMillis;
        this.networkMillis = op + 1_000;
    }

    long lockMillis() {
        return lockMillis;
    }

    long networkMillis() {
        return networkMillis;
    }

    /** Applies the limits; runs with auto-commit on, so a later rollback does not undo them. */
    void apply(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            switch (dialect) {
                case POSTGRESQL -> s.execute(String.format(Locale.ROOT,
                        "SET lock_timeout = %d; SET statement_timeout = %d; SET idle_in_transaction_session_timeout = %d",
                        lockMillis, statementMillis, idleMillis));
                case MARIADB -> s.execute(String.format(Locale.ROOT,
                        "SET SESSION innodb_lock_wait_timeout = %d, max_statement_time = %.3f",
                        Math.max(1, lockMillis / 1_000), statementMillis / 1_000.0));
                case SQLITE -> s.execute("PRAGMA busy_timeout = " + lockMillis);
            }
        }
        if (dialect == SqlDialect.MARIADB) {
            try (Statement s = c.createStatement()) {
                s.execute("SET SESSION idle_transaction_timeout = " + Math.max(1, (idleMillis + 999) / 1_000));
            } catch (SQLException e) {
                if (e.getErrorCode() != UNKNOWN_SYSTEM_VARIABLE) {
                    throw e;
                }
                // MySQL: no idle-transaction limit; its wait_timeout ends the session eventually
            }
        }
        try {
            c.setNetworkTimeout(DIRECT, (int) Math.min(Integer.MAX_VALUE, networkMillis));
        } catch (SQLFeatureNotSupportedException | AbstractMethodError e) {
            // SQLite has no socket; the busy timeout bounds its waits
        }
    }

    /** Puts the session back as the pool gave it. */
    void reset(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            switch (dialect) {
                case POSTGRESQL -> s.execute(
                        "RESET lock_timeout; RESET statement_timeout; RESET idle_in_transaction_session_timeout");
                case MARIADB -> s.execute(
                        "SET SESSION innodb_lock_wait_timeout = DEFAULT, max_statement_time = DEFAULT");
                case SQLITE -> { } // busy_timeout is harmless to keep
            }
        }
        if (dialect == SqlDialect.MARIADB) {
            try (Statement s = c.createStatement()) {
                s.execute("SET SESSION idle_transaction_timeout = DEFAULT");
            } catch (SQLException e) {
                if (e.getErrorCode() != UNKNOWN_SYSTEM_VARIABLE) {
                    throw e;
                }
            }
        }
        try {
            c.setNetworkTimeout(DIRECT, 0);
        } catch (SQLFeatureNotSupportedException | AbstractMethodError e) {
            // as above
        }
    }
}
