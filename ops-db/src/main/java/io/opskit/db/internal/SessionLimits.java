package io.opskit.db.internal;

import io.opskit.db.DbSystem;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/** Session-level statement and lock timeouts, in each database's own terms. */
public final class SessionLimits {

    private SessionLimits() {
    }

    /**
     * Applies the timeouts to the session: PostgreSQL {@code statement_timeout} and
     * {@code lock_timeout}; MariaDB {@code max_statement_time} and {@code innodb_lock_wait_timeout}
     * (whole seconds, at least 1; MySQL {@code max_execution_time} for SELECTs); SQLite
     * {@code busy_timeout} (it has no statement timeout; the JDBC query timeout stands in).
     */
    public static void apply(Connection c, DbSystem system, Duration statementTimeout, Duration lockTimeout)
            throws SQLException {
        try (Statement s = c.createStatement()) {
            switch (system) {
                case POSTGRESQL -> {
                    s.execute("SET statement_timeout = " + statementTimeout.toMillis());
                    s.execute("SET lock_timeout = " + lockTimeout.toMillis());
                }
                case MARIADB -> {
                    s.execute("SET SESSION max_statement_time = " + Math.max(1, statementTimeout.toSeconds()));
                    s.execute("SET SESSION innodb_lock_wait_timeout = " + Math.max(1, lockTimeout.toSeconds()));
                }
                case MYSQL -> {
                    s.execute("SET SESSION max_execution_time = " + statementTimeout.toMillis());
                    s.execute("SET SESSION innodb_lock_wait_timeout = " + Math.max(1, lockTimeout.toSeconds()));
                }
                case SQLITE -> s.execute("PRAGMA busy_timeout = " + lockTimeout.toMillis());
                case OTHER -> { }
            }
        }
    }

    /** The JDBC query timeout in whole seconds (at least 1) for drivers without a session setting. */
    public static int querySeconds(Duration statementTimeout) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, statementTimeout.toSeconds()));
    }
}
