package io.opskit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.api.backup.BackupStore;
import io.opskit.api.backup.KeyProvider;
import io.opskit.api.task.TaskContext;
import io.opskit.api.task.TaskOutcome;
import io.opskit.db.internal.ArchiveFiles;
import io.opskit.db.tasks.RetentionRule;
import io.opskit.db.tasks.RetentionTask;
import io.opskit.testsupport.FakeClock;
import io.opskit.testsupport.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {

    @TempDir
    Path dir;

    private static long count(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void createDeliveries(TestDatabase db, int rows) throws SQLException {
        // three of every five rows are 100 to 299 days old, the rest less than a day
        db.exec("CREATE TABLE deliveries(id bigserial PRIMARY KEY, created_at timestamptz NOT NULL, recipient text NOT NULL, status text NOT NULL)",
                "ALTER TABLE deliveries SET (autovacuum_enabled = false)",
                "INSERT INTO deliveries(created_at, recipient, status) SELECT CASE WHEN g % 5 < 3"
                        + " THEN now() - (100 + g % 200) * interval '1 day' ELSE now() - interval '1 hour' END,"
                        + " 'user' || g || '@example.com', 'sent' FROM generate_series(1, " + rows + ") g",
                "CREATE TABLE deliveries_archive (LIKE deliveries)");
    }

    private static TaskContext context(String name) {
        return TaskContext.standalone(name, Duration.ofMinutes(5), Clock.systemUTC());
    }

    @Test
    void postgres200kRows_archivedInBatchesWhileAnotherWriterWrites_countsAddUpExactly() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            createDeliveries(db, 200_000);
            RetentionRule rule = RetentionRule.table("deliveries").olderThan("created_at", Period.ofDays(90))
                    .archiveTo("deliveries_archive");
            RetentionTask refused = RetentionTask.builder(db.dataSource(), rule).build();
            assertThatThrownBy(() -> refused.run(context(refused.name()))).isInstanceOf(OpsDbException.class)
                    .hasMessageContaining("would remove 120000 of 200000 rows (60.0 %), above the allowed 50.0 %")
                    .satisfies(e -> assertThat(((OpsDbException) e).code()).isEqualTo(OpsDbError.RETENTION_REFUSED));
            assertThat(count(db, "SELECT count(*) FROM deliveries_archive")).isZero();

            TaskOutcome dry = RetentionTask.builder(db.dataSource(), rule).dryRun().build().run(context("dry"));
            assertThat(dry.summary()).startsWith("dry run: would archive to deliveries_archive 120000 of 200000 rows");

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong written = new AtomicLong();
            AtomicReference<Throwable> writerError = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try (Connection c = db.connect();
                     PreparedStatement insert = c.prepareStatement("INSERT INTO deliveries(created_at, recipient, status) VALUES (now(), ?, 'queued')");
                     PreparedStatement update = c.prepareStatement("UPDATE deliveries SET status = 'sent' WHERE id = (SELECT max(id) FROM deliveries)")) {
                    while (!stop.get()) {
                        insert.setString(1, "w" + written.get() + "@example.com");
                        insert.executeUpdate();
                        written.incrementAndGet();
                        update.executeUpdate();
                    }
                } catch (Throwable t) {
                    writerError.set(t);
                }
            });
            writer.start();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            RetentionTask task = RetentionTask.builder(db.dataSource(), rule).force().pause(Duration.ZERO)
                    .meterRegistry(registry).build();
            TaskOutcome outcome;
            try {
                outcome = task.run(context(task.name()));
            } finally {
                stop.set(true);
                writer.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertThat(writerError.get()).isNull();
            assertThat(written.get()).isPositive();
            assertThat(outcome).isInstanceOf(TaskOutcome.Done.class);
            Map<String, String> details = ((TaskOutcome.Done) outcome).details();
            assertThat(details).containsEntry("rows", "120000").containsEntry("complete", "true");
            // default sizing: 1,000 rows first, then what takes about 100 ms; never one huge batch
            assertThat(Integer.parseInt(details.get("batches"))).isGreaterThan(1);
            assertThat(Integer.parseInt(details.get("largest_batch"))).isBetween(1000, 100_000);
            assertThat(count(db, "SELECT count(*) FROM deliveries_archive")).isEqualTo(120_000);
            assertThat(count(db, "SELECT count(DISTINCT id) FROM deliveries_archive")).isEqualTo(120_000);
            assertThat(count(db, "SELECT count(*) FROM deliveries")).isEqualTo(80_000 + written.get());
            assertThat(count(db, "SELECT count(*) FROM deliveries WHERE created_at < now() - interval '90 days'")).isZero();
            assertThat(count(db, "SELECT count(*) FROM deliveries_archive WHERE id % 5 >= 3 OR created_at > now() - interval '90 days'")).isZero();
            assertThat(count(db, "SELECT count(*) FROM " + RetentionTask.STATE_TABLE)).isZero();
            assertThat(registry.get("db.retention.rows").counter().count()).isEqualTo(120_000);
        }
    }

    @Test
    void postgresKill9MidRun_rerunLeavesNoDuplicatesAndNoLosses() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            createDeliveries(db, 50_000);
            String java = ProcessHandle.current().info().command().orElse("java");
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    RetentionChild.class.getName(), db.url(), "200", "20")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (count(db, "SELECT count(*) FROM deliveries_archive") < 3_000) {
                    assertThat(child.isAlive()).as("child still running").isTrue();
                    assertThat(System.nanoTime()).as("child archived 3000 rows in time").isLessThan(deadline);
                    Thread.onSpinWait();
                }
            } finally {
                child.destroyForcibly(); // SIGKILL on Linux
                child.waitFor(30, TimeUnit.SECONDS);
            }
            long archived = count(db, "SELECT count(*) FROM deliveries_archive");
            assertThat(archived).isLessThan(30_000);
            assertThat(count(db, "SELECT count(DISTINCT id) FROM deliveries_archive")).isEqualTo(archived);
            assertThat(archived + count(db, "SELECT count(*) FROM deliveries WHERE id % 5 < 3")).isEqualTo(30_000);
            assertThat(count(db, "SELECT last_key FROM " + RetentionTask.STATE_TABLE)).isPositive();

            RetentionTask rerun = RetentionTask.builder(db.dataSource(), RetentionRule.table("deliveries")
                    .olderThan("created_at", Period.ofDays(90)).archiveTo("deliveries_archive")).force().pause(Duration.ZERO).build();
            TaskOutcome outcome = rerun.run(context(rerun.name()));
            assertThat(((TaskOutcome.Done) outcome).details()).containsEntry("complete", "true")
                    .containsEntry("rows", Long.toString(30_000 - archived));
            assertThat(count(db, "SELECT count(*) FROM deliveries_archive")).isEqualTo(30_000);
            assertThat(count(db, "SELECT count(DISTINCT id) FROM deliveries_archive")).isEqualTo(30_000);
            assertThat(count(db, "SELECT count(*) FROM deliveries")).isEqualTo(20_000);
        }
    }

    @Test
    void sqliteDelete_epochMillis_obeysDeadlineAndResumesFromLastKey() throws Exception {
        TestDatabase db = TestDatabase.sqlite(dir);
        FakeClock clock = FakeClock.at("2026-06-01T00:00:00Z");
        long now = clock.instant().toEpochMilli();
        db.exec("CREATE TABLE drafts(id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, body TEXT)");
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO drafts(created_at, body) VALUES (?, ?)")) {
            c.setAutoCommit(false);
            for (int i = 0; i < 1000; i++) {
                ps.setLong(1, i < 400 ? now - Duration.ofDays(200).toMillis() : now - Duration.ofDays(1).toMillis());
                ps.setString(2, "draft " + i);
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        }
        RetentionRule rule = RetentionRule.table("drafts").olderThan("created_at", Duration.ofDays(180))
                .timeFormat(RetentionRule.TimeFormat.EPOCH_MILLIS).delete();
        RetentionTask task = RetentionTask.builder(db.dataSource(), rule).batchSize(50).pause(Duration.ZERO)
                .deadline(Duration.ofMinutes(25)).clock(clock).build();
        TaskContext base = TaskContext.standalone(task.name(), Duration.ofHours(1), clock);
        // every batch "takes" ten minutes of the fake clock
        TaskContext tenMinutesPerBatch = new TaskContext() {
            public String taskName() { return base.taskName(); }
            public String runId() { return base.runId(); }
            public Instant startedAt() { return base.startedAt(); }
            public Instant deadline() { return base.deadline(); }
            public Clock clock() { return clock; }
            public boolean isCancelled() { return base.isCancelled(); }
            public void checkCancelled() { base.checkCancelled(); }
            public void progress(double fraction, String message) { clock.advance(Duration.ofMinutes(10)); }
            public Map<String, String> logContext() { return Map.of(); }
        };
        TaskOutcome first = task.run(tenMinutesPerBatch);
        assertThat(((TaskOutcome.Done) first).details()).containsEntry("complete", "false")
                .containsEntry("batches", "3").containsEntry("rows", "150").containsEntry("last_key", "150");
        assertThat(first.summary()).contains("resumes after key 150");
        assertThat(count(db, "SELECT count(*) FROM drafts")).isEqualTo(850);

        TaskOutcome second = RetentionTask.builder(db.dataSource(), rule).batchSize(50).pause(Duration.ZERO)
                .clock(clock).build().run(TaskContext.standalone("again", Duration.ofHours(1), clock));
        assertThat(((TaskOutcome.Done) second).details()).containsEntry("complete", "true").containsEntry("rows", "250");
        assertThat(count(db, "SELECT count(*) FROM drafts")).isEqualTo(600);
        assertThat(count(db, "SELECT min(id) FROM drafts")).isEqualTo(401);
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("ok");
        }
    }

    @Test
    void mariadb_archiveWithExtraCondition_movesOnlyMatchingRows() throws Exception {
        try (TestDatabase db = TestDatabase.mariadb()) {
            db.exec("CREATE TABLE sessions(id BIGINT AUTO_INCREMENT PRIMARY KEY, expires_at DATETIME NOT NULL, kind VARCHAR(10) NOT NULL) ENGINE=InnoDB",
                    "CREATE TABLE sessions_archive LIKE sessions",
                    "INSERT INTO sessions(expires_at, kind) SELECT IF(seq % 2 = 0, UTC_TIMESTAMP() - INTERVAL 30 DAY, UTC_TIMESTAMP()),"
                            + " IF(seq % 3 = 0, 'api', 'web') FROM seq_1_to_3000");
            RetentionRule rule = RetentionRule.table("sessions").olderThan("expires_at", Period.ofDays(7))
                    .where("kind = 'web'").archiveTo("sessions_archive");
            long expected = count(db, "SELECT count(*) FROM sessions WHERE expires_at < UTC_TIMESTAMP() - INTERVAL 7 DAY AND kind = 'web'");
            assertThat(expected).isEqualTo(1000);
            TaskOutcome outcome = RetentionTask.builder(db.dataSource(), rule).batchSize(300).pause(Duration.ZERO).build()
                    .run(context("sessions"));
            assertThat(((TaskOutcome.Done) outcome).details()).containsEntry("rows", "1000").containsEntry("batches", "4");
            assertThat(count(db, "SELECT count(*) FROM sessions_archive")).isEqualTo(1000);
            assertThat(count(db, "SELECT count(*) FROM sessions")).isEqualTo(2000);
            assertThat(count(db, "SELECT count(*) FROM sessions_archive WHERE kind <> 'web'")).isZero();
        }
    }

    @Test
    void archiveToFile_encryptedGzipJsonLines_replaceAStaleBatchFileAfterACrash() throws Exception {
        TestDatabase db = TestDatabase.sqlite(dir);
        db.exec("CREATE TABLE feedback(id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, body TEXT)");
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 250)"
                    + " INSERT INTO feedback(created_at, body) SELECT CASE WHEN n <= 150 THEN '2025-01-01T00:00:00Z'"
                    + " ELSE '2026-05-30T00:00:00Z' END, 'secret feedback ' || n FROM g");
        }
        MemoryStore store = new MemoryStore();
        KeyProvider keys = new KeyProvider() {
            public String currentKeyId() { return "test-key"; }
            public byte[] key(String keyId) { byte[] k = new byte[32]; Arrays.fill(k, (byte) 7); return k; }
        };
        // a file left by a run killed after committing the file but before deleting its rows
        try (BackupStore.PendingObject o = store.create("archive/feedback/0000000000000000001-0000000000000000100.jsonl.gz.enc")) {
            o.write("stale".getBytes());
            o.commit();
        }
        FakeClock clock = FakeClock.at("2026-06-01T00:00:00Z");
        RetentionRule rule = RetentionRule.table("feedback").olderThan("created_at", Period.ofDays(180))
                .timeFormat(RetentionRule.TimeFormat.ISO_TEXT).archiveTo(store, keys, "archive");
        TaskOutcome outcome = RetentionTask.builder(db.dataSource(), rule).batchSize(100).pause(Duration.ZERO).force()
                .clock(clock).build().run(TaskContext.standalone("files", Duration.ofMinutes(5), clock));
        assertThat(((TaskOutcome.Done) outcome).details()).containsEntry("rows", "150");
        assertThat(store.list("archive/feedback/")).containsExactly(
                "archive/feedback/0000000000000000001-0000000000000000100.jsonl.gz.enc",
                "archive/feedback/0000000000000000101-0000000000000000150.jsonl.gz.enc");
        String first = ArchiveFiles.read(store, store.list("archive/").get(0), keys);
        assertThat(first.lines()).hasSize(100);
        assertThat(first.lines().findFirst().orElseThrow()).isEqualTo(
                "{\"id\":1,\"created_at\":\"2025-01-01T00:00:00Z\",\"body\":\"secret feedback 1\"}");
        assertThat(new String(store.objects.get(store.list("archive/").get(0)))).doesNotContain("secret feedback");
        assertThat(count(db, "SELECT count(*) FROM feedback")).isEqualTo(100);
    }

    @Test
    void sqliteDefaultBatches_doubleWhileFastAndShrinkWhenSlow_towardsTheBatchTime() throws Exception {
        TestDatabase db = TestDatabase.sqlite(dir);
        FakeClock clock = FakeClock.at("2026-06-01T00:00:00Z");
        db.exec("CREATE TABLE drafts(id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL)");
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO drafts(created_at) VALUES (?)")) {
            c.setAutoCommit(false);
            for (int i = 0; i < 36_000; i++) {
                ps.setLong(1, clock.instant().minus(Duration.ofDays(200)).toEpochMilli());
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        }
        // A batch is timed by two ticker reads, so each batch "takes" one step.
        AtomicLong nanos = new AtomicLong();
        AtomicLong step = new AtomicLong(Duration.ofMillis(12).toNanos());
        List<Long> sizes = new ArrayList<>();
        TaskContext base = TaskContext.standalone("drafts", Duration.ofHours(1), clock);
        TaskContext recording = new TaskContext() {
            public String taskName() { return base.taskName(); }
            public String runId() { return base.runId(); }
            public Instant startedAt() { return base.startedAt(); }
            public Instant deadline() { return base.deadline(); }
            public Clock clock() { return clock; }
            public boolean isCancelled() { return false; }
            public void checkCancelled() { }
            public void progress(double fraction, String message) {
                long moved = Long.parseLong(message.substring(0, message.indexOf(' ')));
                sizes.add(moved - sizes.stream().mapToLong(Long::longValue).sum());
                if (moved >= 15_000) {
                    step.set(Duration.ofMillis(400).toNanos()); // from the fifth batch on, the database is slow
                }
            }
            public Map<String, String> logContext() { return Map.of(); }
        };
        RetentionTask task = RetentionTask.builder(db.dataSource(), RetentionRule.table("drafts")
                        .olderThan("created_at", Duration.ofDays(180)).timeFormat(RetentionRule.TimeFormat.EPOCH_MILLIS).delete())
                .pause(Duration.ZERO).force().clock(clock).ticker(() -> nanos.addAndGet(step.get())).build();

        TaskOutcome outcome = task.run(recording);

        // 12 ms per batch against 100 ms: double each time; then 400 ms per batch: a quarter each time
        assertThat(sizes).containsExactly(1000L, 2000L, 4000L, 8000L, 16_000L, 4000L, 1000L);
        assertThat(((TaskOutcome.Done) outcome).details()).containsEntry("rows", "36000")
                .containsEntry("largest_batch", "16000").containsEntry("complete", "true");
    }

    @Test
    void rule_badIdentifiersAndAges_areRefusedWithNamedMessages() {
        assertThatThrownBy(() -> RetentionRule.table("x; DROP TABLE y")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("table must be a plain SQL identifier: 'x; DROP TABLE y'");
        assertThatThrownBy(() -> RetentionRule.table("t").olderThan("created_at", Period.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("age must be positive: P0D");
        assertThatThrownBy(() -> RetentionTask.builder(TestDatabase.dataSource("jdbc:sqlite::memory:"),
                RetentionRule.table("t").olderThan("c", Period.ofDays(1)).delete()).batchSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("batchSize must be between 1 and 100000: 0");
    }

    /** A BackupStore in memory. */
    static final class MemoryStore implements BackupStore {
        final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();

        @Override
        public PendingObject create(String key) throws IOException {
            if (objects.containsKey(key)) {
                throw new IOException("exists: " + key);
            }
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            return new PendingObject() {
                @Override
                public void write(int b) {
                    buffer.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    buffer.write(b, off, len);
                }

                @Override
                public void commit() {
                    objects.put(key, buffer.toByteArray());
                }
            };
        }

        @Override
        public InputStream open(String key) throws IOException {
            byte[] bytes = objects.get(key);
            if (bytes == null) {
                throw new NoSuchFileException(key);
            }
            return new ByteArrayInputStream(bytes);
        }

        @Override
        public Optional<Long> size(String key) {
            return Optional.ofNullable(objects.get(key)).map(b -> (long) b.length);
        }

        @Override
        public List<String> list(String prefix) {
            List<String> out = new ArrayList<>();
            for (String k : objects.keySet()) {
                if (k.startsWith(prefix)) {
                    out.add(k);
                }
            }
            return out;
        }

        @Override
        public void delete(String key) {
            objects.remove(key);
        }
    }
}
