package io.opskit.db.internal;

import io.opskit.db.DbSystem;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session-level statement and lock timeouts, in each database's own terms, for the duration of
 * one piece of work: {@link #open} sets them on a connection and {@link Session#close()} puts the
 * session's previous values back before the connection goes back to the host's pool, so a pooled
 * connection never keeps an Opskit task's timeouts.
 */
public final class SessionLimits {

    private static final Logger log = LoggerFactory.getLogger(SessionLimits.class);

    private SessionLimits() {
    }

    /** A connection with Opskit's timeouts applied; closing restores them and closes the connection. */
    public static final class Session implements AutoCloseable {
        private final Connection connection;
        private final DbSystem system;
        private final List<String> restore;

        private Session(Connection connection, DbSystem system, List<String> restore) {
            this.connection = connection;
            this.system = system;
            this.restore = restore;
        }

        /** The connection. */
        public Connection connection() {
            return connection;
        }

        /** The database kind behind it. */
        public DbSystem system() {
            return system;
        }

        /** Restores the session's previous timeouts (a failure is logged at DEBUG), then closes the connection. */
        @Override
        public void close() throws SQLException {
            try {
                if (!restore.isEmpty() && !connection.isClosed()) {
                    if (!connection.getAutoCommit()) {
                        connection.rollback();
                        connection.setAutoCommit(true);
                    }
                    try (Statement s = connection.createStatement()) {
                        for (String sql : restore) {
                            s.execute(sql);
                        }
                    }
                }
            } catch (SQLException e) {
                log.debug("could not restore the session's timeouts", e);
            } finally {
                connection.close();
            }
        }
    }

    /**
     * Takes a connection from {@code dataSource} and applies the timeouts to its session:
     * PostgreSQL {@code statement_timeout} and {@code lock_timeout}; MariaDB
     * {@code max_statement_time} and {@code innodb_lock_wait_timeout} (whole seconds, at least 1;
     * MySQL {@code max_execution_time} for SELECTs); SQLite {@code busy_timeout} (it has no
     * statement timeout; the JDBC query timeout stands in).
     *
     * @throws SQLException when no connection can be had or the settings fail (the connection is closed)
     */
    public static Session open(DataSource dataSource, Duration statementTimeout, Duration lockTimeout) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            DbSystem system = DbSystem.of(c);
            return new Session(c, system, apply(c, system, statementTimeout, lockTimeout));
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Applies the limits; answers the statements that put the previous values back. */
    private static List<String> apply(Connection c, DbSystem system, Duration statementTimeout, Duration lockTimeout)
            throws SQLException {
        List<String> restore = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            switch (system) {
                case POSTGRESQL -> {
                    List<String> previous = values(c, "SELECT current_setting('statement_timeout'), current_setting('lock_timeout')", 2);
                    restore.add("SET statement_timeout = " + quote(previous.get(0)));
                    restore.add("SET lock_timeout = " + quote(previous.get(1)));
                    s.execute("SET statement_timeout = " + statementTimeout.toMillis());
                    s.execute("SET lock_timeout = " + lockTimeout.toMillis());
                }
                case MARIADB -> {
                    List<String> previous = values(c, "SELECT @@SESSION.max_statement_time, @@SESSION.innodb_lock_wait_timeout", 2);
                    restore.add("SET SESSION max_statement_time = " + number(previous.get(0)));
                    restore.add("SET SESSION innodb_lock_wait_timeout = " + number(previous.get(1)));
                    s.execute("SET SESSION max_statement_time = " + Math.max(1, statementTimeout.toSeconds()));
                    s.execute("SET SESSION innodb_lock_wait_timeout = " + Math.max(1, lockTimeout.toSeconds()));
                }
                case MYSQL -> {
                    List<String> previous = values(c, "SELECT @@SESSION.max_execution_time, @@SESSION.innodb_lock_wait_timeout", 2);
                    restore.add("SET SESSION max_execution_time = " + number(previous.get(0)));
                    restore.add("SET SESSION innodb_lock_wait_timeout = " + number(previous.get(1)));
                    s.execute("SET SESSION max_execution_time = " + statementTimeout.toMillis());
                    s.execute("SET SESSION innodb_lock_wait_timeout = " + Math.max(1, lockTimeout.toSeconds()));
                }
                case SQLITE -> {
                    List<String> previous = values(c, "PRAGMA busy_timeout", 1);
                    restore.add("PRAGMA busy_timeout = " + number(previous.get(0)));
                    s.execute("PRAGMA busy_timeout = " + lockTimeout.toMillis());
                }
                case OTHER -> { }
            }
        }
        return restore;
    }

    private static List<String> values(Connection c, String sql, int columns) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            List<String> out = new ArrayList<>();
            boolean row = rs.next();
            for (int i = 1; i <= columns; i++) {
                String v = row ? rs.getString(i) : null;
                out.add(v == null ? "" : v);
            }
            return out;
        }
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** A server-reported number, checked to be one before it is put back into SQL. */
    private static String number(String value) {
        if (!value.matches("\\d+(\\.\\d+)?")) {
            throw new IllegalStateException("unexpected session setting: '" + value + "'");
        }
        return value;
    }

    /** The JDBC query timeout in whole seconds (at least 1) for drivers without a session setting. */
    public static int querySeconds(Duration statementTimeout) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, statementTimeout.toSeconds()));
    }
}
