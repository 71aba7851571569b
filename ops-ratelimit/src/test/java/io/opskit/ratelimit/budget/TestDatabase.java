package io.opskit.ratelimit.budget;

import static org.assertj.core.api.Assertions.fail;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A uniquely named database on one of the machine's real servers (or a SQLite file), with pools
 * on it, dropped on close. Unreachable servers fail the test when CI=true and skip it otherwise,
 * naming the server either way.
 */
public final class TestDatabase implements AutoCloseable {

    /** The servers a test can run on. */
    public enum Kind {
        POSTGRESQL("PostgreSQL at 127.0.0.1:5432"),
        MARIADB("MariaDB at 127.0.0.1:3306"),
        SQLITE("SQLite file");

        final String server;

        Kind(String server) {
            this.server = server;
        }
    }

    /** Which server. */
    public final Kind kind;
    /** The JDBC URL of the database (the server's superuser, no password). */
    public final String url;
    /** The database's name (the SQLite file's base name). */
    public final String name;
    private final Path sqliteDir;
    private final List<HikariDataSource> pools = new ArrayList<>();

    private TestDatabase(Kind kind, String url, String name, Path sqliteDir) {
        this.kind = kind;
        this.url = url;
        this.name = name;
        this.sqliteDir = sqliteDir;
    }

    /** Creates a fresh database; fails (CI) or skips the test when the server is unreachable. */
    public static TestDatabase create(Kind kind) {
        String name = "opskit_budget_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try {
            switch (kind) {
                case POSTGRESQL -> {
                    try (Connection c = adminConnection("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
                         Statement st = c.createStatement()) {
                        st.execute("CREATE DATABASE " + name);
                    }
                    return new TestDatabase(kind, "jdbc:postgresql://127.0.0.1:5432/" + name + "?user=postgres",
                            name, null);
                }
                case MARIADB -> {
                    try (Connection c = adminConnection("jdbc:mariadb://127.0.0.1:3306/test?user=root");
                         Statement st = c.createStatement()) {
                        st.execute("CREATE DATABASE " + name);
                    }
                    return new TestDatabase(kind, "jdbc:mariadb://127.0.0.1:3306/" + name + "?user=root", name, null);
                }
                case SQLITE -> {
                    Path dir = Files.createTempDirectory("opskit-budget");
                    return new TestDatabase(kind, "jdbc:sqlite:" + dir.resolve(name + ".db"), name, dir);
                }
                default -> throw new IllegalStateException(kind.toString());
            }
        } catch (SQLException e) {
            String message = kind.server + " is unreachable: " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message, e);
            }
            Assumptions.abort(message);
            throw new IllegalStateException(message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A connection as the server's superuser to its {@code test} database. */
    public Connection admin() throws SQLException {
        return switch (kind) {
            case POSTGRESQL -> adminConnection("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
            case MARIADB -> adminConnection("jdbc:mariadb://127.0.0.1:3306/test?user=root");
            case SQLITE -> adminConnection(url);
        };
    }

    private static Connection adminConnection(String url) throws SQLException {
        DriverManager.setLoginTimeout(5);
        return DriverManager.getConnection(url);
    }

    /** A new, independent pool: one "instance" of the host. */
    HikariDataSource newPool(int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(size);
        config.setPoolName(name + "-" + pools.size());
        config.setConnectionTimeout(10_000);
        if (kind == Kind.SQLITE) {
            config.addDataSourceProperty("busy_timeout", "30000");
        }
        HikariDataSource pool = new HikariDataSource(config);
        pools.add(pool);
        return pool;
    }

    /** A table prefix unique to one test. */
    public static String uniquePrefix() {
        return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toLowerCase(Locale.ROOT) + "_";
    }

    @Override
    public void close() throws SQLException, IOException {
        for (HikariDataSource pool : pools) {
            pool.close();
        }
        switch (kind) {
            case POSTGRESQL -> {
                try (Connection c = adminConnection("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
                     Statement st = c.createStatement()) {
                    st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                }
            }
            case MARIADB -> {
                try (Connection c = adminConnection("jdbc:mariadb://127.0.0.1:3306/test?user=root");
                     Statement st = c.createStatement()) {
                    st.execute("DROP DATABASE IF EXISTS " + name);
                }
            }
            case SQLITE -> {
                try (Stream<Path> files = Files.walk(sqliteDir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }
}
