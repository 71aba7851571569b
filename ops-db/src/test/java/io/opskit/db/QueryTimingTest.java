package io.opskit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.testsupport.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;
import org.sqlite.Function;

class QueryTimingTest {

    @TempDir
    Path dir;

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private static double bucketCount(Timer timer, Duration le) {
        for (CountAtBucket b : timer.takeSnapshot().histogramCounts()) {
            if (b.bucket(TimeUnit.NANOSECONDS) == le.toNanos()) {
                return b.count();
            }
        }
        throw new AssertionError("no bucket " + le);
    }

    @Test
    void slowStatement_sqliteSleepingFunction_logsOneLineWithRequestIdAndLandsAbove100msBucket() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TestDatabase db = TestDatabase.sqlite(dir);
        TimedDataSource timed = OpsDb.timed(db.dataSource()).meterRegistry(registry).build();
        try (LogCapture logs = new LogCapture("io.opskit.db.slow");
             Connection c = timed.getConnection()) {
            Function.create(c.unwrap(org.sqlite.SQLiteConnection.class), "opskit_sleep", new Function() {
                @Override
                protected void xFunc() throws SQLException {
                    try {
                        Thread.sleep(result_int_arg());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    result(1);
                }

                private int result_int_arg() throws SQLException {
                    return value_int(0);
                }
            });
            MDC.put("request_id", "req-7f3a");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT opskit_sleep(150)")) {
                assertThat(rs.next()).isTrue();
            } finally {
                MDC.remove("request_id");
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
            }
            assertThat(logs.messages()).hasSize(1);
            assertThat(logs.messages().get(0))
                    .contains("fingerprint \"select opskit_sleep(?)\"")
                    .contains("request_id req-7f3a")
                    .contains("rows 1")
                    .contains("db sqlite")
                    .doesNotContain("(150)");
        }
        Timer timer = registry.get(TimedDataSource.DURATION)
                .tag(TimedDataSource.TAG_FINGERPRINT, "select opskit_sleep(?)").tag("outcome", "success").timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.getId().getTag(TimedDataSource.TAG_SYSTEM)).isEqualTo("sqlite");
        assertThat(timer.getId().getTag(TimedDataSource.TAG_OPERATION)).isEqualTo("SELECT");
        assertThat(bucketCount(timer, Duration.ofMillis(100))).isZero();
        assertThat(bucketCount(timer, Duration.ofSeconds(10))).isEqualTo(1);
    }

    @Test
    void resultSet_timeUntilClose_countsIterationAndRows() throws Exception {
        TestDatabase db = TestDatabase.sqlite(dir);
        db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)",
                "INSERT INTO t(v) VALUES ('a'), ('b'), ('c')");
        TimedDataSource timed = OpsDb.timed(db.dataSource()).ticker(nanos::get)
                .slowThreshold(Duration.ofMillis(100)).build();
        try (LogCapture logs = new LogCapture("io.opskit.db.slow"); Connection c = timed.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT v FROM t WHERE id > ?")) {
            ps.setInt(1, 0);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    nanos.addAndGet(Duration.ofMillis(50).toNanos());
                }
            }
            assertThat(logs.messages()).singleElement().asString()
                    .contains("150 ms").contains("rows 3").contains("select v from t where id > ?");
        }
        StatementStats stats = timed.statementStats().get(0);
        assertThat(stats.fingerprint()).isEqualTo("select v from t where id > ?");
        assertThat(stats.total()).isEqualTo(Duration.ofMillis(150));
    }

    @Test
    void updatesAndBatches_areTimedWithRowCounts() throws Exception {
        TestDatabase db = TestDatabase.sqlite(dir);
        db.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
        AtomicLong step = new AtomicLong();
        TimedDataSource timed = OpsDb.timed(db.dataSource()).ticker(() -> nanos.addAndGet(step.get())).build();
        try (LogCapture logs = new LogCapture("io.opskit.db.slow"); Connection c = timed.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(v) VALUES (?)")) {
                for (int i = 0; i < 5; i++) {
                    ps.setString(1, "v" + i);
                    ps.addBatch();
                }
                step.set(Duration.ofMillis(120).toNanos()); // each reading of the clock moves it 120 ms on
                ps.executeBatch();
                step.set(0);
            }
            try (Statement s = c.createStatement()) {
                assertThat(s.executeUpdate("UPDATE t SET v = 'x' WHERE id <= 2")).isEqualTo(2);
                s.addBatch("DELETE FROM t WHERE id = 1");
                s.addBatch("DELETE FROM t WHERE id = 2");
                s.executeBatch();
                assertThat(s.execute("SELECT count(*) FROM t")).isTrue();
                try (ResultSet rs = s.getResultSet()) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(3);
                }
            }
            assertThat(logs.messages()).singleElement().asString().contains("rows 5")
                    .contains("insert into t(v) values (?)");
        }
        assertThat(timed.statementStats()).extracting(StatementStats::fingerprint, StatementStats::count)
                .contains(org.assertj.core.groups.Tuple.tuple("insert into t(v) values (?)", 1L),
                        org.assertj.core.groups.Tuple.tuple("update t set v = ? where id <= ?", 1L),
                        org.assertj.core.groups.Tuple.tuple("delete from t where id = ?", 1L),
                        org.assertj.core.groups.Tuple.tuple("select count(*) from t", 1L));
    }

    @Test
    void failedStatement_isRecordedAsErrorAndRethrown() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TimedDataSource timed = OpsDb.timed(TestDatabase.sqlite(dir).dataSource()).meterRegistry(registry).build();
        try (Connection c = timed.getConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM missing_table")).isInstanceOf(SQLException.class);
        }
        assertThat(registry.get(TimedDataSource.DURATION).tag("outcome", "error").timer().count()).isEqualTo(1);
    }

    @Test
    void fingerprintCap_100000DistinctStatements_keepAtMostCapSeriesAndCountOverflow() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TimedDataSource timed = OpsDb.timed(TestDatabase.dataSource("jdbc:sqlite::memory:"))
                .meterRegistry(registry).maxFingerprints(50).build();
        try (Connection c = timed.getConnection(); Statement s = c.createStatement()) {
            for (int i = 0; i < 100_000; i++) {
                // half differ only in literals (one fingerprint), half in shape (a distinct alias each)
                String sql = i % 2 == 0 ? "SELECT " + i + ", 'user-" + i + "@example.com'" : "SELECT 1 AS c" + i;
                try (ResultSet rs = s.executeQuery(sql)) {
                    rs.next();
                }
            }
        }
        Set<String> fingerprints = registry.getMeters().stream()
                .filter(m -> m.getId().getName().equals(TimedDataSource.DURATION))
                .map(m -> m.getId().getTag(TimedDataSource.TAG_FINGERPRINT)).collect(Collectors.toSet());
        assertThat(fingerprints).hasSizeLessThanOrEqualTo(51).contains("select ?", TimedDataSource.OTHER);
        assertThat(registry.get(TimedDataSource.FINGERPRINT_OVERFLOW).counter().count()).isEqualTo(50_000 - 49);
        assertThat(timed.statementStats()).hasSizeLessThanOrEqualTo(51);
        assertThat(timed.statementStats().stream().mapToLong(StatementStats::count).sum()).isEqualTo(100_000);
    }

    @Test
    void canary_parameterAndLiteralValues_neverReachLogsOrTags() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TestDatabase db = TestDatabase.sqlite(dir);
        db.exec("CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT, token TEXT)");
        TimedDataSource timed = OpsDb.timed(db.dataSource()).meterRegistry(registry)
                .slowThreshold(Duration.ofNanos(1)).build();
        try (LogCapture logs = new LogCapture("io.opskit.db.slow"); Connection c = timed.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO users(email, token) VALUES (?, 'CANARY-literal-9d1')")) {
                ps.setString(1, "CANARY-param-4f2@example.com");
                ps.executeUpdate();
            }
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id FROM users WHERE email = 'CANARY-where-77' OR id = 31337")) {
                rs.next();
            }
            List<String> all = logs.messages();
            assertThat(all).hasSize(2);
            assertThat(all).allSatisfy(line -> assertThat(line).doesNotContainIgnoringCase("canary").doesNotContain("31337"));
        }
        for (Meter m : registry.getMeters()) {
            for (Tag t : m.getId().getTags()) {
                assertThat(t.getValue()).doesNotContainIgnoringCase("canary").doesNotContain("31337");
            }
        }
    }

    @Test
    void withoutRegistry_statsStillKept() throws Exception {
        TimedDataSource timed = OpsDb.timed(TestDatabase.dataSource("jdbc:sqlite::memory:")).ticker(nanos::get).build();
        try (Connection c = timed.getConnection(); Statement s = c.createStatement()) {
            for (int i = 0; i < 3; i++) {
                try (ResultSet rs = s.executeQuery("SELECT " + i)) {
                    nanos.addAndGet(1_000_000);
                    rs.next();
                }
            }
        }
        assertThat(timed.dbSystem()).isEqualTo("sqlite");
        StatementStats stats = timed.statementStats().get(0);
        assertThat(stats.count()).isEqualTo(3);
        assertThat(stats.mean()).isEqualTo(Duration.ofMillis(1));
        assertThat(stats.max()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void unwrapAndGetConnection_returnTheTimedViews() throws Exception {
        TimedDataSource timed = OpsDb.timed(TestDatabase.dataSource("jdbc:sqlite::memory:")).build();
        try (Connection c = timed.getConnection(); Statement s = c.createStatement()) {
            assertThat(s.getConnection()).isSameAs(c);
            assertThat(c.unwrap(org.sqlite.SQLiteConnection.class)).isNotNull();
            assertThat(c.isWrapperFor(org.sqlite.SQLiteConnection.class)).isTrue();
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.getStatement()).isSameAs(s);
            }
        }
        assertThat(timed.unwrap(TimedDataSource.class)).isSameAs(timed);
    }

    @Test
    void builder_badAndRepeatedValues_areRefusedWithNamedMessages() {
        TimedDataSource.Builder b = OpsDb.timed(TestDatabase.dataSource("jdbc:sqlite::memory:"));
        assertThatThrownBy(() -> b.slowThreshold(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("slowThreshold must be positive: PT0S");
        assertThatThrownBy(() -> b.maxFingerprints(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxFingerprints must be between 1 and 10000: 0");
        b.slowThreshold(Duration.ofMillis(5));
        assertThatThrownBy(() -> b.slowThreshold(Duration.ofMillis(6))).isInstanceOf(IllegalStateException.class)
                .hasMessage("slowThreshold was already set");
        assertThatThrownBy(() -> b.meterRegistry(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("meterRegistry");
    }
}
