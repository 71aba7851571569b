package io.opskit.health.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.Threshold;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.health.CheckOptions;
import io.opskit.health.CheckResult;
import io.opskit.health.OpsHealth;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

class JdbcCheckTest {

    @TempDir
    Path dir;

    private SQLiteDataSource sqlite(Path file) {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        return ds;
    }

    @Test
    void check_realSqliteFile_upWithItsSize() throws Exception {
        SQLiteDataSource ds = sqlite(dir.resolve("app.db"));
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)");
            s.executeUpdate("INSERT INTO notes (body) SELECT hex(randomblob(500)) FROM "
                    + "(WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 200) SELECT x FROM n)");
        }

        HealthResult result = JdbcCheck.of(ds).withValidationQuery("SELECT 1").check();

        assertThat(result.status()).isEqualTo(HealthStatus.UP);
        assertThat(result.details()).containsEntry("database", "SQLite").doesNotContainKey("sizeLevel");
        long size = (Long) result.details().get("sizeBytes");
        assertThat(size).isEqualTo(java.nio.file.Files.size(dir.resolve("app.db")));
        assertThat(result.message().orElseThrow()).matches("Connected \\(\\d+\\.\\d KiB\\)");
        HealthResult limited = JdbcCheck.of(ds).withSizeLimits(JdbcCheck.DEFAULT_SIZE_LIMITS).check();
        assertThat(limited.details()).containsEntry("sizeLevel", "OK").containsEntry("warningBytes", 5L << 30)
                .containsEntry("criticalBytes", 8L << 30);
    }

    @Test
    void check_sqlitePastItsLimits_warningDegraded_criticalDown_likeEveryBuiltIn() throws Exception {
        SQLiteDataSource ds = sqlite(dir.resolve("small.db"));
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE t (x INTEGER)");
        }

        HealthResult warning = JdbcCheck.of(ds).withSizeLimits(Threshold.above(1024, 1_000_000)).check();
        HealthResult critical = JdbcCheck.of(ds).withSizeLimits(Threshold.above(1, 2)).check();

        assertThat(warning.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(warning.details()).containsEntry("sizeLevel", "WARNING");
        assertThat(warning.message().orElseThrow()).contains("past the warning size");
        assertThat(critical.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(critical.details()).containsEntry("sizeLevel", "CRITICAL");
        assertThat(critical.message().orElseThrow()).contains("past the critical size");
    }

    @Test
    void check_databaseAtItsSizeLimit_registeredNonCritical_keepsReadinessAt200() throws Exception {
        SQLiteDataSource ds = sqlite(dir.resolve("full.db"));
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE t (x INTEGER)");
        }
        try (OpsHealth health = OpsHealth.builder()
                .register("database", JdbcCheck.of(ds))
                .register("database-size", JdbcCheck.of(ds).withSizeLimits(Threshold.above(1, 2)),
                        CheckOptions.defaults().critical(false))
                .build()) {
            io.opskit.health.HealthReport ready = health.check(io.opskit.api.health.Probe.READINESS);

            assertThat(ready.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(ready.httpStatus()).isEqualTo(200);
            assertThat(ready.check("database").orElseThrow().status()).isEqualTo(HealthStatus.UP);
        }
    }

    @Test
    void check_sqliteFileThatCannotBeOpened_down() {
        SQLiteDataSource ds = sqlite(dir.resolve("missing-dir").resolve("app.db"));

        HealthResult result = JdbcCheck.of(ds).check();

        assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(result.message().orElseThrow()).startsWith("SQLiteException");
    }

    @Test
    void check_realPostgresql_upWithDatabaseSize() throws Exception {
        Services.require("PostgreSQL", 5432);
        String db = "opskit_health_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection admin = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
             Statement s = admin.createStatement()) {
            s.executeUpdate("CREATE DATABASE " + db);
        }
        try {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl("jdbc:postgresql://127.0.0.1:5432/" + db);
            ds.setUser("postgres");

            HealthResult result = JdbcCheck.of(ds).withValidationQuery("SELECT 1").check();

            assertThat(result.status()).isEqualTo(HealthStatus.UP);
            assertThat(result.details()).containsEntry("database", "PostgreSQL");
            assertThat((Long) result.details().get("sizeBytes")).isGreaterThan(1_000_000L);
            assertThat(result.message().orElseThrow()).matches("Connected \\(\\d+\\.\\d MiB\\)");
        } finally {
            try (Connection admin = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
                 Statement s = admin.createStatement()) {
                s.executeUpdate("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }

    @Test
    void check_realMariadb_upWithSchemaSize() throws Exception {
        Services.require("MariaDB", 3306);
        String db = "opskit_health_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection admin = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/test", "root", "");
             Statement s = admin.createStatement()) {
            s.executeUpdate("CREATE DATABASE " + db);
            s.executeUpdate("CREATE TABLE " + db + ".notes (id INT PRIMARY KEY, body TEXT) ENGINE=InnoDB");
        }
        try {
            MariaDbDataSource ds = new MariaDbDataSource("jdbc:mariadb://127.0.0.1:3306/" + db);
            ds.setUser("root");
            ds.setPassword("");

            HealthResult result = JdbcCheck.of(ds).check();

            assertThat(result.status()).isEqualTo(HealthStatus.UP);
            assertThat(result.details().get("database").toString()).isIn("MariaDB", "MySQL");
            assertThat((Long) result.details().get("sizeBytes")).isGreaterThan(0L);
        } finally {
            try (Connection admin = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/test", "root", "");
                 Statement s = admin.createStatement()) {
                s.executeUpdate("DROP DATABASE IF EXISTS " + db);
            }
        }
    }

    @Test
    void check_postgresqlNotListening_downWithoutThePassword() throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl("jdbc:postgresql://127.0.0.1:" + Services.closedPort() + "/app");
        ds.setUser("app");
        ds.setPassword("hunter2-secret");
        ds.setConnectTimeout(2);

        HealthResult result = JdbcCheck.of(ds).check();

        assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(result.message().orElseThrow()).startsWith("PSQLException").doesNotContain("hunter2");
        assertThat(result.details()).containsKey("sqlState");
    }

    @Test
    void check_mariadbWrongDatabase_downThroughTheEngine() throws Exception {
        Services.require("MariaDB", 3306);
        MariaDbDataSource ds = new MariaDbDataSource("jdbc:mariadb://127.0.0.1:3306/no_such_db_opskit");
        ds.setUser("root");
        ds.setPassword("");
        try (OpsHealth health = OpsHealth.builder()
                .register("db", JdbcCheck.of(ds), CheckOptions.defaults().withTimeout(Duration.ofSeconds(10)))
                .build()) {
            CheckResult db = health.check().check("db").orElseThrow();

            assertThat(db.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(db.message().orElseThrow()).contains("no_such_db_opskit");
            assertThat(health.check().httpStatus()).isEqualTo(503);
        }
    }

    @Test
    void builder_invalidSettings_messagesNameFieldAndValue() {
        JdbcCheck check = JdbcCheck.of(new SQLiteDataSource());
        assertThatThrownBy(() -> check.withValidationQuery(" ")).hasMessage("validationQuery must not be blank: ' '");
        assertThatThrownBy(() -> check.withQueryTimeout(Duration.ofMillis(10)))
                .hasMessage("queryTimeout must be at least 1 s: PT0.01S");
        assertThatThrownBy(() -> check.withSizeLimits(Threshold.below(8, 5)))
                .hasMessage("threshold must have direction ABOVE: BELOW");
        assertThatThrownBy(() -> check.withQueryTimeout(Duration.ofDays(365L * 300)))
                .hasMessage("queryTimeout must be at most PT1H: PT2628000H");
    }
}
