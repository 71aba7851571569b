package io.opskit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.task.TaskContext;
import io.opskit.api.task.TaskOutcome;
import io.opskit.db.tasks.MaintenanceKind;
import io.opskit.db.tasks.MaintenanceTask;
import io.opskit.testsupport.FakeClock;
import io.opskit.testsupport.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaintenanceTest {

    @TempDir
    Path dir;

    private static long single(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    private static TaskContext context() {
        return TaskContext.standalone("test", Duration.ofMinutes(10), Clock.systemUTC());
    }

    /** A context whose progress moves a fake clock on, so each step "takes" {@code step}. */
    private static TaskContext slowSteps(FakeClock clock, Duration step) {
        TaskContext base = TaskContext.standalone("slow", Duration.ofHours(5), clock);
        return new TaskContext() {
            public String taskName() { return base.taskName(); }
            public String runId() { return base.runId(); }
            public Instant startedAt() { return base.startedAt(); }
            public Instant deadline() { return base.deadline(); }
            public Clock clock() { return clock; }
            public boolean isCancelled() { return base.isCancelled(); }
            public void checkCancelled() { base.checkCancelled(); }
            public void progress(double fraction, String message) { clock.advance(step); }
            public Map<String, String> logContext() { return Map.of(); }
        };
    }

    @Test
    void sqliteVacuum_freelistGoesToZero_andDryRunChangesNothing() throws Exception {
        TestDatabase db = TestDatabase.sqlite(dir);
        db.exec("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)",
                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 3000)"
                        + " INSERT INTO notes(body) SELECT printf('%.400c', 'x') FROM g",
                "DELETE FROM notes WHERE id > 100");
        long freeBefore = single(db, "PRAGMA freelist_count");
        assertThat(freeBefore).isGreaterThan(100);
        TaskOutcome dry = OpsDb.maintenance(db.dataSource(), MaintenanceKind.SQLITE_VACUUM).dryRun().build().run(context());
        assertThat(dry.summary()).isEqualTo("dry run: sqlite.vacuum would run 1 statement(s): VACUUM");
        assertThat(single(db, "PRAGMA freelist_count")).isEqualTo(freeBefore);

        MaintenanceTask vacuum = OpsDb.maintenance(db.dataSource(), MaintenanceKind.SQLITE_VACUUM).build();
        assertThat(vacuum.name()).isEqualTo("maintenance:sqlite.vacuum");
        TaskOutcome outcome = vacuum.run(context());
        assertThat(outcome).isInstanceOf(TaskOutcome.Done.class);
        assertThat(outcome.summary()).startsWith("sqlite.vacuum: 1 of 1 statement(s) (main: ").contains(" -> ");
        assertThat(single(db, "PRAGMA freelist_count")).isZero();
        for (MaintenanceKind k : new MaintenanceKind[] {MaintenanceKind.SQLITE_OPTIMIZE, MaintenanceKind.SQLITE_ANALYZE,
                MaintenanceKind.SQLITE_REINDEX, MaintenanceKind.SQLITE_QUICK_CHECK, MaintenanceKind.SQLITE_INTEGRITY_CHECK}) {
            assertThat(OpsDb.maintenance(db.dataSource(), k).build().run(context())).as(k.wireName())
                    .isInstanceOf(TaskOutcome.Done.class);
        }
        assertThat(single(db, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).isEqualTo(1);
    }

    @Test
    void sqliteIncrementalAutoVacuum_usesIncrementalVacuum() throws Exception {
        TestDatabase db = TestDatabase.sqlite(dir);
        db.exec("PRAGMA auto_vacuum = INCREMENTAL", "CREATE TABLE t(x)", "VACUUM",
                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 1000)"
                        + " INSERT INTO t SELECT printf('%.400c', 'x') FROM g", "DELETE FROM t");
        TaskOutcome outcome = OpsDb.maintenance(db.dataSource(), MaintenanceKind.SQLITE_VACUUM).build().run(context());
        assertThat(((TaskOutcome.Done) outcome).details()).containsEntry("steps", "1");
        assertThat(single(db, "PRAGMA freelist_count")).isZero();
        assertThat(OpsDb.maintenance(db.dataSource(), MaintenanceKind.SQLITE_VACUUM).dryRun().build().run(context()).summary())
                .endsWith("PRAGMA incremental_vacuum");
    }

    @Test
    void postgresVacuumAnalyze_updatesLastVacuumMostDeadFirst_andObeysItsDeadline() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            db.exec("CREATE TABLE a(id int PRIMARY KEY, v int) WITH (autovacuum_enabled = false)",
                    "CREATE TABLE b(id int PRIMARY KEY, v int) WITH (autovacuum_enabled = false)",
                    "CREATE TABLE c(id int PRIMARY KEY, v int) WITH (autovacuum_enabled = false)",
                    "INSERT INTO a SELECT g, 0 FROM generate_series(1, 5000) g",
                    "INSERT INTO b SELECT g, 0 FROM generate_series(1, 5000) g",
                    "INSERT INTO c SELECT g, 0 FROM generate_series(1, 5000) g",
                    "UPDATE b SET v = 1", "UPDATE b SET v = 2", "UPDATE a SET v = 1 WHERE id <= 1000");
            TaskOutcome dry = OpsDb.maintenance(db.dataSource(), MaintenanceKind.POSTGRES_VACUUM_ANALYZE)
                    .vacuumMinDeadTuples(1).dryRun().build().run(context());
            assertThat(((TaskOutcome.Done) dry).details()).containsEntry("step_1", "VACUUM (ANALYZE) \"public\".\"b\"")
                    .containsEntry("step_2", "VACUUM (ANALYZE) \"public\".\"a\"").containsEntry("steps", "2");

            FakeClock clock = FakeClock.at(Instant.now());
            TaskOutcome partial = OpsDb.maintenance(db.dataSource(), MaintenanceKind.POSTGRES_VACUUM_ANALYZE)
                    .vacuumMinDeadTuples(1).deadline(Duration.ofMinutes(5)).clock(clock).build()
                    .run(slowSteps(clock, Duration.ofMinutes(10)));
            assertThat(((TaskOutcome.Done) partial).details()).containsEntry("complete", "false");
            assertThat(partial.summary()).startsWith("postgres.vacuum_analyze: 1 of 2 statement(s)").endsWith("stopped at the deadline");
            assertThat(single(db, "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'b' AND last_vacuum IS NOT NULL")).isEqualTo(1);
            assertThat(single(db, "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'a' AND last_vacuum IS NOT NULL")).isZero();

            TaskOutcome all = OpsDb.maintenance(db.dataSource(), MaintenanceKind.POSTGRES_VACUUM_ANALYZE).build().run(context());
            assertThat(((TaskOutcome.Done) all).details()).containsEntry("complete", "true").containsEntry("steps", "3");
            assertThat(single(db, "SELECT count(*) FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL AND last_analyze IS NOT NULL")).isEqualTo(3);
            assertThat(OpsDb.maintenance(db.dataSource(), MaintenanceKind.POSTGRES_ANALYZE).build().run(context()))
                    .isInstanceOf(TaskOutcome.Done.class);
        }
    }

    @Test
    void postgresReindex_rebuildsOnlyTheBloatedIndexConcurrently() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            db.exec("CREATE TABLE events(id int PRIMARY KEY, kind int) WITH (autovacuum_enabled = false)",
                    "INSERT INTO events SELECT g, g % 7 FROM generate_series(1, 100000) g",
                    "CREATE INDEX events_kind ON events(kind)",
                    "CREATE TABLE tidy(id int PRIMARY KEY)", "INSERT INTO tidy SELECT generate_series(1, 1000)",
                    "DELETE FROM events WHERE id % 10 <> 0", "VACUUM ANALYZE events", "ANALYZE tidy");
            long before = single(db, "SELECT pg_relation_size('events_kind')");
            MaintenanceTask reindex = OpsDb.maintenance(db.dataSource(), MaintenanceKind.POSTGRES_REINDEX)
                    .reindexMinBytes(0).reindexBloatRatio(0.5).build();
            TaskOutcome outcome = reindex.run(context());
            assertThat(outcome.summary()).contains("\"public\".\"events_kind\"").doesNotContain("tidy");
            assertThat(single(db, "SELECT pg_relation_size('events_kind')")).isLessThan(before / 3);
        }
    }

    @Test
    void mariadbOptimizeAndAnalyze_runPerTable() throws Exception {
        try (TestDatabase db = TestDatabase.mariadb()) {
            db.exec("CREATE TABLE notes(id INT AUTO_INCREMENT PRIMARY KEY, body TEXT) ENGINE=InnoDB",
                    "INSERT INTO notes(body) SELECT REPEAT('x', 500) FROM seq_1_to_1000");
            TaskOutcome analyze = OpsDb.maintenance(db.dataSource(), MaintenanceKind.MARIADB_ANALYZE).build().run(context());
            assertThat(analyze.summary()).startsWith("mariadb.analyze: 1 of 1 statement(s) (`notes`: ");
            TaskOutcome optimize = OpsDb.maintenance(db.dataSource(), MaintenanceKind.MARIADB_OPTIMIZE).build().run(context());
            assertThat(optimize).isInstanceOf(TaskOutcome.Done.class);
        }
    }

    @Test
    void wrongDatabaseKind_isRefusedNamingTheTask() {
        MaintenanceTask task = OpsDb.maintenance(TestDatabase.dataSource("jdbc:sqlite::memory:"), MaintenanceKind.POSTGRES_ANALYZE).build();
        assertThatThrownBy(() -> task.run(context())).isInstanceOf(OpsDbException.class)
                .hasMessageContaining("postgres.analyze does not run on sqlite");
        assertThat(MaintenanceKind.of(DbSystem.SQLITE, "vacuum")).contains(MaintenanceKind.SQLITE_VACUUM);
        assertThat(MaintenanceKind.of(DbSystem.MYSQL, "optimize")).contains(MaintenanceKind.MARIADB_OPTIMIZE);
    }
}
