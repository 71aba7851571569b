package io.opskit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import io.opskit.api.task.TaskContext;
import io.opskit.db.tasks.RetentionRule;
import io.opskit.db.tasks.RetentionTask;
import io.opskit.testsupport.FakeClock;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the notifiers of a retention task hear, on SQLite files. */
class RetentionEventsTest {

    private static final FakeClock CLOCK = FakeClock.at("2026-06-01T00:00:00Z");

    @TempDir
    Path dir;

    /** {@code old} rows 200 days old, then {@code fresh} rows a day old, in table drafts. */
    private TestDatabase drafts(int old, int fresh) throws SQLException {
        TestDatabase db = TestDatabase.sqlite(dir);
        db.exec("CREATE TABLE drafts(id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, body TEXT)");
        long now = CLOCK.instant().toEpochMilli();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO drafts(created_at, body) VALUES (?, ?)")) {
            for (int i = 0; i < old + fresh; i++) {
                ps.setLong(1, now - Duration.ofDays(i < old ? 200 : 1).toMillis());
                ps.setString(2, "draft " + i);
                ps.executeUpdate();
            }
        }
        return db;
    }

    private static RetentionRule.Step olderThan180Days() {
        return RetentionRule.table("drafts").olderThan("created_at", Duration.ofDays(180))
                .timeFormat(RetentionRule.TimeFormat.EPOCH_MILLIS);
    }

    private static TaskContext context() {
        return TaskContext.standalone("drafts", Duration.ofMinutes(5), CLOCK);
    }

    private static long rows(TestDatabase db, String table) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void run_thatMovesRows_publishesCompletedWithRowsAndTableToEveryNotifier() throws Exception {
        TestDatabase db = drafts(30, 70);
        db.exec("CREATE TABLE drafts_archive(id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, body TEXT)");
        List<OpsEvent> first = new CopyOnWriteArrayList<>();
        List<OpsEvent> second = new CopyOnWriteArrayList<>();
        RetentionTask task = OpsDb.retention(db.dataSource(), olderThan180Days().archiveTo("drafts_archive"))
                .batchSize(10).pause(Duration.ZERO).clock(CLOCK).notifier(first::add).notifier(second::add).build();

        task.run(context());

        assertThat(first).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("db.retention.completed");
            assertThat(e.severity()).isEqualTo(Severity.INFO);
            assertThat(e.source()).isEqualTo("db:retention:drafts");
            assertThat(e.at()).isEqualTo(CLOCK.instant());
            assertThat(e.labels()).containsEntry("table", "drafts").containsEntry("rows", "30")
                    .containsEntry("batches", "3").containsEntry("complete", "true")
                    .containsEntry("destination", "archive_table").containsEntry("task", "retention:drafts");
            assertThat(e.summary()).contains("archive to drafts_archive 30 rows of drafts");
        });
        assertThat(second).containsExactlyElementsOf(first);
        assertThat(rows(db, "drafts_archive")).isEqualTo(30);
    }

    @Test
    void run_overTheFractionWithoutForce_publishesRefusedAndMovesNothing() throws Exception {
        TestDatabase db = drafts(60, 40);
        List<OpsEvent> events = new CopyOnWriteArrayList<>();
        RetentionTask task = OpsDb.retention(db.dataSource(), olderThan180Days().delete()).clock(CLOCK)
                .notifier(events::add).build();

        assertThatThrownBy(() -> task.run(context())).isInstanceOf(OpsDbException.class)
                .satisfies(e -> assertThat(((OpsDbException) e).code()).isEqualTo(OpsDbError.RETENTION_REFUSED));

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("db.retention.refused");
            assertThat(e.severity()).isEqualTo(Severity.WARNING);
            assertThat(e.labels()).containsEntry("table", "drafts").containsEntry("matching_rows", "60")
                    .containsEntry("total_rows", "100").containsEntry("max_fraction", "0.5");
            assertThat(e.summary()).contains("would remove 60 of 100 rows (60.0 %)").contains("nothing was moved");
        });
        assertThat(rows(db, "drafts")).isEqualTo(100);
    }

    @Test
    void run_whoseArchiveRefusesTheThirdBatch_publishesFailedWithTheRowsMovedBefore() throws Exception {
        TestDatabase db = drafts(30, 70);
        db.exec("CREATE TABLE drafts_archive(id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, body TEXT)",
                "CREATE TRIGGER archive_full BEFORE INSERT ON drafts_archive WHEN NEW.id > 20"
                        + " BEGIN SELECT RAISE(ABORT, 'archive full'); END");
        List<OpsEvent> events = new CopyOnWriteArrayList<>();
        RetentionTask task = OpsDb.retention(db.dataSource(), olderThan180Days().archiveTo("drafts_archive"))
                .batchSize(10).pause(Duration.ZERO).clock(CLOCK).notifier(events::add).build();

        assertThatThrownBy(() -> task.run(context())).isInstanceOf(SQLException.class);

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("db.retention.failed");
            assertThat(e.severity()).isEqualTo(Severity.WARNING);
            assertThat(e.labels()).containsEntry("table", "drafts").containsEntry("rows", "20")
                    .containsEntry("last_key", "20").containsEntry("reason", "sql");
            assertThat(e.summary()).contains("retention retention:drafts of drafts failed after 20 rows")
                    .contains("archive full");
        });
        assertThat(rows(db, "drafts")).isEqualTo(80);
        assertThat(rows(db, "drafts_archive")).isEqualTo(20);
    }

    @Test
    void dryRun_publishesNothing_andAThrowingNotifierDoesNotFailTheRun() throws Exception {
        TestDatabase db = drafts(30, 70);
        List<OpsEvent> events = new CopyOnWriteArrayList<>();
        OpsDb.retention(db.dataSource(), olderThan180Days().delete()).dryRun().clock(CLOCK).notifier(events::add)
                .build().run(context());
        assertThat(events).isEmpty();
        assertThat(rows(db, "drafts")).isEqualTo(100);

        RetentionTask task = OpsDb.retention(db.dataSource(), olderThan180Days().delete()).clock(CLOCK)
                .notifier(e -> {
                    throw new IllegalStateException("receiver down");
                }).notifier(events::add).build();
        task.run(context());
        assertThat(events).extracting(OpsEvent::type).containsExactly("db.retention.completed");
        assertThat(rows(db, "drafts")).isEqualTo(70);
    }
}
