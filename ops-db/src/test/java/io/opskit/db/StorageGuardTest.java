package io.opskit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.task.OpsTask;
import io.opskit.api.task.TaskOutcome;
import io.opskit.testsupport.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageGuardTest {

    @TempDir
    Path dir;

    private final AtomicLong nanos = new AtomicLong();

    private static long used(TestDatabase db) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (page_count - freelist_count) * page_size FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void insertBlobs(Connection c, int rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO notes(body) VALUES (?)")) {
            for (int i = 0; i < rows; i++) {
                ps.setString(1, "x".repeat(4000));
                ps.executeUpdate();
            }
        }
    }

    @Test
    void tinyMaximum_sqlite_refusesNextWriteWhileReadsAndHealthStayUp() throws Exception {
        TestDatabase db = TestDatabase.sqlite(dir);
        db.exec("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)");
        try (Connection c = db.connect()) {
            insertBlobs(c, 10);
        }
        long before = used(db);
        List<OpsEvent> events = new CopyOnWriteArrayList<>();
        try (StorageGuard guard = OpsDb.storageGuard(db.dataSource()).name("app-db").maximum(before + 20_000)
                .warning(before / 2).critical(before + 10_000).ticker(nanos::get).notifier(events::add).build()) {
            assertThat(guard.tryWrite()).isTrue();
            guard.checkWrite();
            assertThat(events).extracting(OpsEvent::type).containsExactly("db.storage.warning");
            try (Connection c = db.connect()) {
                insertBlobs(c, 10);
            }
            // the cached measurement is used until the refresh interval passes
            guard.checkWrite();
            nanos.addAndGet(Duration.ofSeconds(30).toNanos());
            assertThatThrownBy(guard::checkWrite).isInstanceOf(StorageFullException.class)
                    .hasMessageContaining("database app-db is full")
                    .hasMessageContaining("maximum")
                    .satisfies(e -> {
                        StorageFullException full = (StorageFullException) e;
                        assertThat(full.code()).isEqualTo(OpsDbError.STORAGE_FULL);
                        assertThat(full.code().wireName()).isEqualTo("storage.full");
                        assertThat(full.limitBytes()).isEqualTo(before + 20_000);
                        assertThat(full.usedBytes()).isGreaterThanOrEqualTo(before + 20_000);
                        assertThat(full.subject()).isEqualTo("app-db");
                    });
            assertThat(guard.tryWrite()).isFalse();
            assertThat(events).extracting(OpsEvent::type).containsExactly("db.storage.warning", "db.storage.full");
            // reads still work
            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM notes")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(20);
            }
            HealthResult health = guard.healthCheck().check();
            assertThat(health.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(health.details()).containsEntry("writes_refused", true).containsEntry("level", "full");
            // deleting brings it back
            db.exec("DELETE FROM notes", "VACUUM");
            nanos.addAndGet(Duration.ofSeconds(30).toNanos());
            guard.checkWrite();
            assertThat(events).extracting(OpsEvent::type).last().isEqualTo("db.storage.ok");
        }
    }

    @Test
    void sqliteMaxPageCount_onPooledConnections_databaseRefusesAndStaysIntact() throws Exception {
        TestDatabase db = TestDatabase.sqlite(dir);
        db.exec("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.url());
        config.setMaximumPoolSize(2);
        config.setConnectionInitSql(StorageGuard.sqliteMaxPageCountPragma(200_000, 4096));
        int inserted = 0;
        try (HikariDataSource pool = new HikariDataSource(config)) {
            SQLException full = null;
            for (int i = 0; i < 200 && full == null; i++) {
                try (Connection c = pool.getConnection()) {
                    insertBlobs(c, 1);
                    inserted++;
                } catch (SQLException e) {
                    full = e;
                }
            }
            assertThat((Throwable) full).isNotNull();
            assertThat(full.getMessage()).containsIgnoringCase("full");
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("ok");
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM notes")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(inserted);
                }
            }
        }
        assertThat(inserted).isBetween(10, 60);
        assertThat(StorageGuard.sqliteMaxPageCountPragma(10_000_000_000L, 4096)).isEqualTo("PRAGMA max_page_count = 2441406");
    }

    @Test
    void criticalCrossing_runsTheNamedTaskOnceAndGaugesShowLevel() throws Exception {
        TestDatabase db = TestDatabase.sqlite(dir);
        db.exec("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)");
        try (Connection c = db.connect()) {
            insertBlobs(c, 10);
        }
        long size = used(db);
        AtomicInteger runs = new AtomicInteger();
        OpsTask archive = OpsTask.of("retention:notes", ctx -> {
            runs.incrementAndGet();
            return TaskOutcome.done("archived");
        });
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (StorageGuard guard = OpsDb.storageGuard(db.dataSource()).name("notes-db").warning(size / 4)
                .critical(size / 2).maximum(size * 10).onCritical(archive).executor(Runnable::run)
                .ticker(nanos::get).meterRegistry(registry).build()) {
            assertThat(guard.usage().level()).isEqualTo(StorageLevel.CRITICAL);
            nanos.addAndGet(Duration.ofMinutes(1).toNanos());
            guard.usage();
            assertThat(runs).hasValue(1);
            assertThat(registry.get("db.storage.used").gauge().value()).isEqualTo(size);
            assertThat(registry.get("db.storage.level").gauge().value()).isEqualTo(2);
            assertThat(registry.get("db.storage.limit").tag("level", "maximum").gauge().value()).isEqualTo(size * 10);
        }
    }

    @Test
    void postgres_tinyMaximum_refusesWritesAndMeasuresDatabaseSize() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            try (StorageGuard guard = OpsDb.storageGuard(db.dataSource()).maximum(1_000_000).build()) {
                assertThatThrownBy(guard::checkWrite).isInstanceOf(StorageFullException.class);
                assertThat(guard.usage().usedBytes()).isGreaterThan(1_000_000);
            }
            try (StorageGuard guard = OpsDb.storageGuard(db.dataSource()).build()) {
                guard.checkWrite();
                assertThat(guard.healthCheck().check().status()).isEqualTo(HealthStatus.UP);
            }
        }
    }

    @Test
    void mariadb_measuresTablesOfTheSchema() throws Exception {
        try (TestDatabase db = TestDatabase.mariadb()) {
            db.exec("CREATE TABLE notes(id INT PRIMARY KEY AUTO_INCREMENT, body TEXT) ENGINE=InnoDB",
                    "INSERT INTO notes(body) VALUES (REPEAT('x', 5000))", "ANALYZE TABLE notes");
            try (StorageGuard guard = OpsDb.storageGuard(db.dataSource()).maximum(1000).build()) {
                assertThat(guard.usage().usedBytes()).isGreaterThanOrEqualTo(16384);
                assertThat(guard.tryWrite()).isFalse();
            }
        }
    }

    @Test
    void unmeasurableDatabase_neverRefusesWritesAndSaysSoInHealth() throws Exception {
        try (StorageGuard guard = OpsDb.storageGuard(TestDatabase.dataSource("jdbc:sqlite:" + dir.resolve("missing/x.db")))
                .maximum(1).build()) {
            guard.checkWrite();
            HealthResult health = guard.healthCheck().check();
            assertThat(health.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(health.message().orElseThrow()).startsWith("database size cannot be measured");
        }
    }

    @Test
    void builder_badValues_areRefusedWithNamedMessages() {
        StorageGuard.Builder b = OpsDb.storageGuard(TestDatabase.dataSource("jdbc:sqlite::memory:"));
        assertThatThrownBy(() -> b.maximum(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maximum must be positive: 0");
        b.maximum(1000);
        assertThatThrownBy(() -> b.maximum(2000)).isInstanceOf(IllegalStateException.class)
                .hasMessage("maximum was already set");
        b.critical(2000);
        assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("critical must not be above maximum: 2.0 KiB > 1000 B");
    }
}
