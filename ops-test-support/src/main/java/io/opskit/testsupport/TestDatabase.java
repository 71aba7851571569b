package io.opskit.testsupport;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A database of one test's own: a uniquely named database on the machine's shared PostgreSQL
 * (127.0.0.1:5432, user {@code postgres}) or MariaDB (127.0.0.1:3306, user {@code root}, no
 * password), or a SQLite file. {@link #close()} closes what was {@linkplain #closeWith registered}
 * with it and then drops the database, so runs can overlap and reruns start clean.
 *
 * <p>An unreachable server fails the test under {@code CI=true} and skips it elsewhere, naming the
 * server ({@link Services}). The JDBC driver of the chosen kind must be on the test class path.
 *
 * <pre>{@code
 * try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.POSTGRESQL)) {
 *     db.exec("CREATE TABLE t (id INT PRIMARY KEY)");
 *     JdbcJobLock lock = JdbcJobLock.builder(db.dataSource()).build();
 * }
 * }</pre>
 */
public final class TestDatabase implements AutoCloseable {

    /** The kinds of database a test can have. */
    public enum Kind {
        /** A database on the shared PostgreSQL server. */
        POSTGRESQL("PostgreSQL", 5432),
        /** A database on the shared MariaDB server. */
        MARIADB("MariaDB", 3306),
        /** A SQLite file. */
        SQLITE("SQLite", 0);

        private final String server;
        private final int port;

        Kind(String server, int port) {
            this.server = server;
            this.port = port;
        }

        /** @return the server's name for messages, such as {@code "PostgreSQL"} */
        public String server() {
            return server;
        }
    }

    private static final String PG_ADMIN = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    private static final String MARIADB_ADMIN = "jdbc:mariadb://127.0.0.1:3306/test?user=root";

    private final Kind kind;
    private final String name;
    private final String url;
    private final @Nullable Path ownDirectory;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private boolean closed;

    private TestDatabase(Kind kind, String name, String url, @Nullable Path ownDirectory) {
        this.kind = kind;
        this.name = name;
        this.url = url;
        this.ownDirectory = ownDirectory;
    }

    /**
     * A new database of {@code kind}; a SQLite file goes in a temporary directory of its own that
     * {@link #close()} deletes.
     */
    public static TestDatabase create(Kind kind) {
        return switch (Objects.requireNonNull(kind, "kind")) {
            case POSTGRESQL -> postgres();
            case MARIADB -> mariadb();
            case SQLITE -> {
                try {
                    Path dir = Files.createTempDirectory("opskit-test-db");
                    String name = uniqueName();
                    yield new TestDatabase(kind, name, "jdbc:sqlite:" + dir.resolve(name + ".db"), dir);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /** A new database on the shared PostgreSQL server. */
    public static TestDatabase postgres() {
        return onServer(Kind.POSTGRESQL, PG_ADMIN, "jdbc:postgresql://127.0.0.1:5432/%s?user=postgres");
    }

    /** A new database on the shared MariaDB server. */
    public static TestDatabase mariadb() {
        return onServer(Kind.MARIADB, MARIADB_ADMIN, "jdbc:mariadb://127.0.0.1:3306/%s?user=root");
    }

    /** A new SQLite file in {@code dir} (a JUnit {@code @TempDir}, say), which the caller cleans up. */
    public static TestDatabase sqlite(Path dir) {
        String name = uniqueName();
        return new TestDatabase(Kind.SQLITE, name, "jdbc:sqlite:" + dir.resolve(name + ".db"), null);
    }

    private static TestDatabase onServer(Kind kind, String adminUrl, String urlPattern) {
        Services.requireTcp(kind.server, kind.port);
        String name = uniqueName();
        try (Connection c = connectWithTimeout(adminUrl); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(kind.server + " on 127.0.0.1:" + kind.port
                    + " could not create a test database: " + e.getMessage(), e);
        }
        return new TestDatabase(kind, name, String.format(Locale.ROOT, urlPattern, name), null);
    }

    private static String uniqueName() {
        return "opskit_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** A table-name prefix unique to one test, such as {@code t1a2b3c4d5e_}. */
    public static String uniquePrefix() {
        return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "_";
    }

    /** @return the kind */
    public Kind kind() {
        return kind;
    }

    /** @return the database's name (for SQLite, the file's base name) */
    public String name() {
        return name;
    }

    /** @return the JDBC URL of the database, as the server's superuser without a password */
    public String url() {
        return url;
    }

    /** A new connection to the database. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /** Runs each statement, in order, on one new connection. */
    public void exec(String... sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    /**
     * A connection as the server's superuser to its {@code test} database (outside this test's
     * database, to watch or kill its sessions); for SQLite, one to the file.
     */
    public Connection admin() throws SQLException {
        return switch (kind) {
            case POSTGRESQL -> connectWithTimeout(PG_ADMIN);
            case MARIADB -> connectWithTimeout(MARIADB_ADMIN);
            case SQLITE -> connect();
        };
    }

    /** An unpooled data source: a new connection per call, with the driver's defaults. */
    public DataSource dataSource() {
        return dataSource(url);
    }

    /**
     * An unpooled data source for concurrent writers: for SQLite, each connection has the WAL
     * journal and a 30 s busy timeout, so that a writer waits for another instead of failing at
     * once; on the servers, the same as {@link #dataSource()}.
     */
    public DataSource concurrentDataSource() {
        return concurrentDataSource(url);
    }

    /**
     * Closes {@code resource} (a pool on this database, say) when the database is closed, before it
     * is dropped; resources close in the reverse order of registration.
     *
     * @return {@code resource}
     */
    public <T extends AutoCloseable> T closeWith(T resource) {
        resources.push(Objects.requireNonNull(resource, "resource"));
        return resource;
    }

    /**
     * Closes the registered resources, then drops the database (deletes its own SQLite directory).
     * Idempotent.
     *
     * @throws SQLException when the drop fails, or the first resource that failed to close did so
     *                      with one
     */
    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        SQLException sqlFailure = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (SQLException e) {
                sqlFailure = sqlFailure == null ? e : suppress(sqlFailure, e);
            } catch (RuntimeException e) {
                failure = failure == null ? e : suppress(failure, e);
            } catch (Exception e) {
                IllegalStateException wrapped = new IllegalStateException("closing a resource of " + this, e);
                failure = failure == null ? wrapped : suppress(failure, wrapped);
            }
        }
        switch (kind) {
            case POSTGRESQL -> {
                try (Connection c = connectWithTimeout(PG_ADMIN); Statement st = c.createStatement()) {
                    st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                }
            }
            case MARIADB -> {
                try (Connection c = connectWithTimeout(MARIADB_ADMIN); Statement st = c.createStatement()) {
                    st.execute("DROP DATABASE IF EXISTS " + name);
                }
            }
            case SQLITE -> deleteOwnDirectory();
        }
        if (sqlFailure != null) {
            throw sqlFailure;
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static <E extends Exception> E suppress(E first, Exception next) {
        first.addSuppressed(next);
        return first;
    }

    private void deleteOwnDirectory() {
        if (ownDirectory == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(ownDirectory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return kind.server + " database " + name;
    }

    private static Connection connectWithTimeout(String url) throws SQLException {
        DriverManager.setLoginTimeout(5);
        return DriverManager.getConnection(url);
    }

    /** An unpooled data source over {@code url}: a new connection per call, with the driver's defaults. */
    public static DataSource dataSource(String url) {
        Objects.requireNonNull(url, "url");
        return new UrlDataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                return DriverManager.getConnection(url);
            }
        };
    }

    /** {@link #concurrentDataSource()} over any URL (a child process's, say). */
    public static DataSource concurrentDataSource(String url) {
        Objects.requireNonNull(url, "url");
        return new UrlDataSource() {
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
        };
    }

    /**
     * A data source that hands out {@code connection} on every call and ignores {@code close()} on
     * it: one session seen by code that opens and closes connections.
     */
    public static DataSource nonClosing(Connection connection) {
        Objects.requireNonNull(connection, "connection");
        Connection proxy = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (p, m, a) -> "close".equals(m.getName()) ? null : invoke(m, connection, a));
        return new UrlDataSource() {
            @Override
            public Connection getConnection() {
                return proxy;
            }
        };
    }

    private static @Nullable Object invoke(Method m, Connection target, Object @Nullable [] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The parts of a {@link DataSource} no test uses. */
    private abstract static class UrlDataSource implements DataSource {
        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public @Nullable PrintWriter getLogWriter() {
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
    }
}
