package io.opskit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.db.diagnostics.DiagnosticsReport;
import io.opskit.db.diagnostics.GuardAction;
import io.opskit.db.diagnostics.LongRunningQueryGuard;
import io.opskit.db.diagnostics.Section;
import io.opskit.testsupport.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiagnosticsSqliteMariadbTest {

    @TempDir
    Path dir;

    @Test
    void sqlite_reportsFreelistRatioWalAndIntegrity() throws Exception {
        TestDatabase db = TestDatabase.sqlite(dir);
        db.exec("PRAGMA journal_mode = WAL", "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)",
                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2000)"
                        + " INSERT INTO notes(body) SELECT printf('%.500c', 'x') FROM g",
                "DELETE FROM notes WHERE id > 200", "PRAGMA wal_checkpoint(TRUNCATE)");
        DiagnosticsReport report = OpsDb.diagnose(db.dataSource());
        assertThat(report.system()).isEqualTo("sqlite");
        Map<String, Object> size = report.section("database_size").orElseThrow().rows().get(0);
        assertThat((double) size.get("freelist_ratio")).isGreaterThan(0.5);
        assertThat(report.section("wal").orElseThrow().rows().get(0)).containsEntry("journal_mode", "wal");
        assertThat(report.section("integrity").orElseThrow().rows().get(0)).containsEntry("ok", true);
        Section tables = report.section("largest_tables").orElseThrow();
        if (tables.status() == Section.Status.OK) {
            assertThat(tables.rows()).extracting(r -> r.get("name")).contains("notes");
        } else {
            assertThat(tables.notes()).singleElement().asString().contains("dbstat");
        }
        assertThat(report.toText()).contains("== Database size and free pages [ok]");
    }

    @Test
    void mariadb_reportsTableSizesAndTheGuardKillsAQueryWhenApplied() throws Exception {
        try (TestDatabase db = TestDatabase.mariadb()) {
            db.exec("CREATE TABLE notes(id INT AUTO_INCREMENT PRIMARY KEY, body TEXT) ENGINE=InnoDB",
                    "INSERT INTO notes(body) SELECT REPEAT('x', 500) FROM seq_1_to_2000", "ANALYZE TABLE notes");
            DiagnosticsReport report = OpsDb.diagnose(db.dataSource());
            Section tables = report.section("largest_tables").orElseThrow();
            assertThat(tables.rows()).extracting(r -> r.get("table_name")).containsExactly("notes");
            assertThat(tables.rows().get(0)).containsKeys("fragmentation", "data_bytes", "free_bytes");
            assertThat(report.section("connections").orElseThrow().notes().get(0)).contains("of max_connections");

            Connection sleeper = db.connect();
            CompletableFuture<Object> sleeping = CompletableFuture.supplyAsync(() -> {
                try (Statement s = sleeper.createStatement()) {
                    s.execute("SELECT SLEEP(60)");
                    return s.getResultSet().next() ? s.getResultSet().getInt(1) : -1;
                } catch (SQLException e) {
                    return e;
                }
            });
            try {
                LongRunningQueryGuard guard = LongRunningQueryGuard.builder(db.dataSource()).limit(Duration.ofMillis(1))
                        .apply().build();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                List<GuardAction> actions;
                do {
                    // MariaDB's processlist counts whole seconds: wait until the sleeper has run one
                    actions = guard.sweep();
                    assertThat(System.nanoTime()).as("sleeper visible in time").isLessThan(until);
                } while (actions.isEmpty());
                assertThat(actions).singleElement().extracting(GuardAction::kind).isEqualTo(GuardAction.Kind.CANCELLED);
                // KILL QUERY interrupts the statement well before its 60 s
                assertThat(sleeping.get(30, TimeUnit.SECONDS)).isInstanceOf(SQLException.class)
                        .asString().contains("interrupted");
            } finally {
                sleeper.close();
            }
        }
    }

    @Test
    void unsupportedDatabase_isRefusedWithItsCode() {
        assertThatThrownBy(() -> OpsDb.diagnose(TestDatabase.dataSource("jdbc:nosuch:x")))
                .isInstanceOf(SQLException.class);
    }
}
