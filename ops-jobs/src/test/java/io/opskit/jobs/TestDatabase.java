package io.opskit.jobs;

import io.opskit.testsupport.Services;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Properties;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * A uniquely named database on one of the machine's real servers (or a SQLite file), dropped on
 * close. Unreachable servers fail under CI=true and skip otherwise, naming the server.
 */
final class TestDatabase implements AutoCloseable {

    enum Kind { POSTGRESQL, MARIADB, SQLITE }

    final Kind kind;
    final String url;
    private final String name;
    private final Path dir;

    private TestDatabase(Kind kind, String url, String name, Path dir) {
        this.kind = kind;
        this.url = url;
        this.name = name;
        this.dir = dir;
    }

    static TestDatabase create(Kind kind) {
        String name = "opskit_jobs_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try {
            switch (kind) {
                case POSTGRESQL -> {
                    Services.postgres();
                    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
                         Statement st = c.createStatement()) {
                        st.execute("CREATE DATABASE " + name);
                    }
                    return new TestDatabase(kind, "jdbc:postgresql://127.0.0.1:5432/" + name + "?user=postgres", name, null);
                }
                case MARIADB -> {
                    Services.mariadb();
                    try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/test?user=root");
                         Statement st = c.createStatement()) {
                        st.execute("CREATE DATABASE " + name);
                    }
                    return new TestDatabase(kind, "jdbc:mariadb://127.0.0.1:3306/" + name + "?user=root", name, null);
                }
                default -> {
                    Path d = Files.createTempDirectory("opskit-jobs");
                    return new TestDatabase(kind, "jdbc:sqlite:" + d.resolve(name + ".db"), name, d);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(kind + " could not create a test database: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A data source opening a new connection per call (SQLite with a busy timeout). */
    DataSource dataSource() {
        return dataSource(url);
    }

    /** A data source that hands out {@code connection} every time and never closes it. */
    static DataSource nonClosing(Connection connection) {
        Connection proxy = (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (p, m, a) -> "close".equals(m.getName()) ? null : invoke(m, connection, a));
        return new DataSource() {
            @Override
            public Connection getConnection() {
                return proxy;
            }

            @Override
            public Connection getConnection(String username, String password) {
                return proxy;
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
            public Logger getParentLogger() throws SQLFeatureNotSupportedException {
                throw new SQLFeatureNotSupportedException();
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

    private static Object invoke(java.lang.reflect.Method m, Connection target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    static DataSource dataSource(String url) {
        return new DataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                if (url.startsWith("jdbc:sqlite:")) {
                    Properties p = new Properties();
                    p.setProperty("busy_timeout", "30000");
                    p.setProperty("journal_mode", "WAL");
                    return DriverManager.getConnection(url, p);
                }
                return DriverManager.getConnection(url);
            }

            @Override
            public Connection getConnection(String username, String password) throws SQLException {
                return getConnection();
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
            public Logger getParentLogger() throws SQLFeatureNotSupportedException {
                throw new SQLFeatureNotSupportedException();
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

    @Override
    public void close() throws Exception {
        switch (kind) {
            case POSTGRESQL -> {
                try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
                     Statement st = c.createStatement()) {
                    st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                }
            }
            case MARIADB -> {
                try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/test?user=root");
                     Statement st = c.createStatement()) {
                    st.execute("DROP DATABASE IF EXISTS " + name);
                }
            }
            default -> {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }
}
