package io.opskit.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.notify.OpsEvent;
import io.opskit.db.diagnostics.DbHealthChecks;
import io.opskit.db.diagnostics.Diagnostics;
import io.opskit.db.diagnostics.DiagnosticsReport;
import io.opskit.db.diagnostics.GuardAction;
import io.opskit.db.diagnostics.LongRunningQueryGuard;
import io.opskit.db.diagnostics.Section;
import io.opskit.testsupport.FakeClock;
import io.opskit.testsupport.PgCluster;
import io.opskit.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DiagnosticsPostgresTest {

    private static List<String> column(Section s, String key) {
        return s.rows().stream().map(r -> String.valueOf(r.get(key))).toList();
    }

    @Test
    void bloatAndUnusedIndexes_createdByTheTest_showWithRightOrderingAndAgeVerdicts() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            db.exec("CREATE TABLE hot(id int PRIMARY KEY, v int) WITH (autovacuum_enabled = false)",
                    "CREATE TABLE warm(id int PRIMARY KEY, v int) WITH (autovacuum_enabled = false)",
                    "INSERT INTO hot SELECT g, 0 FROM generate_series(1, 10000) g",
                    "INSERT INTO warm SELECT g, 0 FROM generate_series(1, 10000) g",
                    "CREATE INDEX hot_v_old ON hot(v)");
            for (int i = 0; i < 4; i++) {
                db.exec("UPDATE hot SET v = v + 1");
            }
            db.exec("UPDATE warm SET v = v + 1 WHERE id <= 2000");
            FakeClock clock = FakeClock.at(Instant.now());
            Diagnostics diagnostics = Diagnostics.builder(db.dataSource()).clock(clock).build();
            DiagnosticsReport first = diagnostics.run();
            Section bloat = first.section("table_bloat").orElseThrow();
            assertThat(bloat.status()).isEqualTo(Section.Status.OK);
            assertThat(column(bloat, "table_name")).startsWith("hot", "warm");
            assertThat(bloat.rows().get(0).get("n_dead_tup")).isEqualTo(40_000L);
            assertThat((double) bloat.rows().get(0).get("dead_ratio")).isGreaterThan((double) bloat.rows().get(1).get("dead_ratio"));
            assertThat(bloat.method()).contains("n_dead_tup / (n_live_tup + n_dead_tup)");
            assertThat(first.section("unused_indexes").orElseThrow().rows()).isEmpty(); // statistics younger than 7 days

            clock.advance(Duration.ofDays(8));
            db.exec("CREATE INDEX warm_v_fresh ON warm(v)");
            DiagnosticsReport later = diagnostics.run();
            Section unused = later.section("unused_indexes").orElseThrow();
            assertThat(column(unused, "index_name")).containsExactly("hot_v_old");
            assertThat(unused.rows().get(0)).containsKey("statistics_age");
            assertThat(unused.notes()).anySatisfy(n -> assertThat(n).contains("1 never-scanned index(es) have statistics younger than 7d"));
            assertThat(later.section("largest_tables").orElseThrow().rows().get(0).get("table_name")).isEqualTo("hot");
            assertThat(later.section("replication").orElseThrow().notes()).containsExactly("primary without standbys");
            assertThat(later.section("connections").orElseThrow().notes().get(0)).contains("of max_connections");
            String json = later.toJson();
            assertThat(json).contains("\"id\": \"table_bloat\"").contains("\"measured_at\"").contains("\"method\"");
            assertThat(later.toText()).contains("== Dead tuples and table bloat [ok]").contains("method: ");
        }
    }

    @Test
    void pgStatStatements_missingOrNotPreloaded_saysSoInItsSection() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            Section missing = OpsDb.diagnose(db.dataSource()).section("top_statements_by_total").orElseThrow();
            assertThat(missing.status()).isEqualTo(Section.Status.UNAVAILABLE);
            assertThat(missing.notes()).singleElement().asString().startsWith("pg_stat_statements is not installed");
            db.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            db.exec("SELECT 1");
            Section installed = OpsDb.diagnose(db.dataSource()).section("top_statements_by_mean").orElseThrow();
            boolean preloaded;
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                preloaded = s.executeQuery("SELECT current_setting('shared_preload_libraries')").next()
                        && s.getResultSet().getString(1).contains("pg_stat_statements");
            }
            if (preloaded) {
                assertThat(installed.status()).isEqualTo(Section.Status.OK);
                assertThat(installed.notes()).anySatisfy(n -> assertThat(n).contains("mean_exec_time"));
            } else {
                assertThat(installed.status()).isEqualTo(Section.Status.UNAVAILABLE);
                assertThat(installed.notes()).singleElement().asString().contains("installed but not loaded");
            }
        }
    }

    @Test
    void pgStatStatements_preloadedInAClusterOfItsOwn_listsTopStatementsByTotalAndByMeanTime() throws Exception {
        // The shared server does not preload the library; a cluster of the test's own does.
        try (PgCluster pg = PgCluster.start("shared_preload_libraries=pg_stat_statements")) {
            try (Connection c = pg.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION pg_stat_statements");
                s.execute("SELECT pg_stat_statements_reset()");
                s.execute("SELECT pg_sleep(0.2)");                // once: the largest mean
                for (int i = 0; i < 30; i++) {
                    s.execute("SELECT pg_sleep(0.01), 'many'");   // 30 times: the largest total
                }
            }

            DiagnosticsReport report = OpsDb.diagnose(TestDatabase.dataSource(pg.jdbcUrl("postgres")));

            Section byTotal = report.section("top_statements_by_total").orElseThrow();
            Section byMean = report.section("top_statements_by_mean").orElseThrow();
            for (Section section : List.of(byTotal, byMean)) {
                assertThat(section.status()).as(section.notes().toString()).isEqualTo(Section.Status.OK);
                assertThat(section.notes()).anySatisfy(n -> assertThat(n)
                        .startsWith("columns total_exec_time/mean_exec_time (server_version_num 15"));
                assertThat(section.rows().get(0)).containsKeys("calls", "total_ms", "mean_ms", "rows", "statement");
            }
            assertThat(byTotal.rows().get(0)).containsEntry("statement", "select pg_sleep(?), ?").containsEntry("calls", 30L);
            assertThat(byMean.rows().get(0)).containsEntry("statement", "select pg_sleep(?)").containsEntry("calls", 1L);
            assertThat(((Number) byMean.rows().get(0).get("mean_ms")).doubleValue()).isGreaterThanOrEqualTo(200);
            assertThat(((Number) byTotal.rows().get(0).get("total_ms")).doubleValue()).isGreaterThanOrEqualTo(300);
            assertThat(report.toJson()).doesNotContain("'many'");
        }
    }

    @Test
    void pgSleep60_showsAsLongRunningAndTheGuardCancelsItWhenApplied() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            Connection sleeper = DriverManager.getConnection(db.url() + "&ApplicationName=opskit-test-sleeper");
            CompletableFuture<SQLException> sleeping = CompletableFuture.supplyAsync(() -> {
                try (Statement s = sleeper.createStatement()) {
                    s.execute("SELECT pg_sleep(60), 'literal-secret-123'");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            try {
                Diagnostics diagnostics = Diagnostics.builder(db.dataSource()).longRunning(Duration.ofMillis(1)).build();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                Section longRunning;
                do {
                    longRunning = diagnostics.run().section("long_running").orElseThrow();
                    assertThat(System.nanoTime()).as("sleeper visible in time").isLessThan(until);
                } while (longRunning.rows().stream().noneMatch(r -> "opskit-test-sleeper".equals(r.get("application_name"))));
                Map<String, Object> row = longRunning.rows().stream()
                        .filter(r -> "opskit-test-sleeper".equals(r.get("application_name"))).findFirst().orElseThrow();
                assertThat(row.get("statement")).isEqualTo("select pg_sleep(?), ?");

                HealthResult health = DbHealthChecks.builder(db.dataSource())
                        .longRunning(Duration.ofMillis(1), Duration.ofHours(1)).build().longRunning().check();
                assertThat(health.status()).isEqualTo(HealthStatus.DEGRADED);

                List<OpsEvent> events = new CopyOnWriteArrayList<>();
                List<GuardAction> dry = LongRunningQueryGuard.builder(db.dataSource()).limit(Duration.ofMillis(1))
                        .applicationName("opskit-test-sleeper").notifier(events::add).build().sweep();
                assertThat(dry).singleElement().extracting(GuardAction::kind).isEqualTo(GuardAction.Kind.WOULD_CANCEL);
                assertThat(sleeping).isNotDone();

                List<GuardAction> applied = LongRunningQueryGuard.builder(db.dataSource()).limit(Duration.ofMillis(1))
                        .applicationName("opskit-test-sleeper").apply().notifier(events::add).build().sweep();
                assertThat(applied).singleElement().satisfies(a -> {
                    assertThat(a.kind()).isEqualTo(GuardAction.Kind.CANCELLED);
                    assertThat(a.statement()).isEqualTo("select pg_sleep(?), ?");
                });
                SQLException cancelled = sleeping.get(30, TimeUnit.SECONDS);
                assertThat((Throwable) cancelled).isNotNull();
                assertThat(cancelled.getSQLState()).isEqualTo("57014");
                assertThat(events).extracting(OpsEvent::type).containsExactly("db.query.would_cancel", "db.query.cancelled");
                assertThat(events).allSatisfy(e -> assertThat(e.summary()).doesNotContain("literal-secret"));
            } finally {
                sleeper.close();
            }
        }
    }

    @Test
    void healthChecks_quietDatabase_areUp() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            DbHealthChecks checks = DbHealthChecks.builder(db.dataSource()).build();
            assertThat(checks.connectionUsage().check().status()).isEqualTo(HealthStatus.UP);
            assertThat(checks.idleInTransaction().check().status()).isEqualTo(HealthStatus.UP);
            assertThat(checks.replicationLag().check().message().orElseThrow()).isEqualTo("no standbys");
            assertThat(checks.longRunning().check().details()).containsKey("long_running");
        }
    }
}
