package io.opskit.db;

import io.opskit.testsupport.Services;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** Unique databases on the machine's real servers and SQLite files, dropped afterwards. */
public final class TestDbs {

    static final String PG_ADMIN = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
    static final String MARIADB_ADMIN = "jdbc:mariadb://127.0.0.1:3306/test?user=root&password=";

    private TestDbs() {
    }

    /** A database created for one test; {@link #close()} drops it. */
    public record Db(DbSystem system, String name, String url) implements AutoCloseable {
        public DataSource dataSource() {
            return TestDbs.dataSource(url);
        }

        public Connection connect() throws SQLException {
            return DriverManager.getConnection(url);
        }

        public void exec(String... sql) throws SQLException {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                for (String q : sql) {
                    s.execute(q);
                }
            }
        }

        @Override
        public void close() throws SQLException {
            switch (system) {
                case POSTGRESQL -> {
                    try (Connection c = DriverManager.getConnection(PG_ADMIN); Statement s = c.createStatement()) {
                        s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
                        s.execute("DROP DATABASE IF EXISTS " + name);
                    }
                }
                case MARIADB -> {
                    try (Connection c = DriverManager.getConnection(MARIADB_ADMIN); Statement s = c.createStatement()) {
                        s.execute("DROP DATABASE IF EXISTS " + name);
                    }
                }
                default -> { }
            }
        }
    }

    static String uniqueName(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    public static Db postgres() throws SQLException {
        Services.postgres();
        String name = uniqueName("opskit_db_");
        try (Connection c = DriverManager.getConnection(PG_ADMIN); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new Db(DbSystem.POSTGRESQL, name, "jdbc:postgresql://127.0.0.1:5432/" + name + "?user=postgres");
    }

    public static Db mariadb() throws SQLException {
        Services.mariadb();
        String name = uniqueName("opskit_db_");
        try (Connection c = DriverManager.getConnection(MARIADB_ADMIN); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new Db(DbSystem.MARIADB, name, "jdbc:mariadb://127.0.0.1:3306/" + name + "?user=root&password=");
    }

    public static Db sqlite(Path dir) {
        Path file = dir.resolve(uniqueName("db") + ".db");
        return new Db(DbSystem.SQLITE, file.getFileName().toString(), "jdbc:sqlite:" + file);
    }

    /** A plain, unpooled data source over a URL. */
    public static DataSource dataSource(String url) {
        return new DataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                return DriverManager.getConnection(url);
            }

            @Override
            public Connection getConnection(String username, String password) throws SQLException {
                return DriverManager.getConnection(url, username, password);
            }

            @Override
            public PrintWriter getLogWriter() {
                return null;
            }

            @Override
            public void setLogWriter(PrintWriter out) {
            }

            @Override
            public void setLoginTimeout(int seconds) {
            }

            @Override
            public int getLoginTimeout() {
                return 0;
            }

            @Override
            public Logger getParentLogger() {
                return Logger.getGlobal();
            }

            @Override
            public <T> T unwrap(Class<T> iface) throws SQLException {
                throw new SQLException("not a wrapper");
            }

            @Override
            public boolean isWrapperFor(Class<?> iface) {
                return false;
            }
        };
    }
}
