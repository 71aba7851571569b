package io.opskit.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opskit.api.task.TaskContext;
import io.opskit.api.task.TaskOutcome;
import io.opskit.db.OpsDb;
import io.opskit.db.tasks.RetentionRule;
import io.opskit.db.tasks.RetentionTask;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Period;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Whole-process benchmark: archiving old rows of a hot PostgreSQL table, Opskit's
 * {@link RetentionTask} (keyset batches, each copy-and-delete one transaction) against the
 * operations manuals' {@code BEGIN; INSERT INTO archive SELECT ... WHERE created_at < cutoff;
 * DELETE FROM t WHERE created_at < cutoff; COMMIT}, on the same freshly generated table each time.
 *
 * <p>While each contender runs, one writer thread keeps working on the same table as an
 * application would: it inserts a new delivery, then marks a random existing one (old or new) as
 * opened, each statement in its own transaction. Its statement latencies are recorded: the longest
 * is the longest it waited for a lock. After each run the benchmark checks that the archive holds
 * exactly the old rows, none is left behind, and counts the writer's committed updates that the
 * archive lost (an update to an old row that committed after the manual's INSERT had read the row
 * but before its DELETE reached it is archived without the update).
 *
 * <p>It uses its own schema in the given database and drops it afterwards. Writes a JSON summary.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.opskit.benchmarks.RetentionBenchmark \
 *      [--url jdbc:postgresql://127.0.0.1:5432/test?user=postgres] [--rows 1000000] [--fresh 250000] \
 *      [--runs 3] [--out RetentionBenchmark.json]
 * </pre>
 */
public final class RetentionBenchmark {

    private RetentionBenchmark() {
    }

    /** What one contender did in one run. */
    record Run(String contender, long rows, double seconds, WriterStats writer, long lostUpdates, String note) {
        double rowsPerSecond() {
            return rows / seconds;
        }
    }

    /** The writer's statement latencies during one run. */
    record WriterStats(long statements, long updatesCommitted, double p50Ms, double p99Ms, double maxMs, long over1s) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String url = opts.getOrDefault("url", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        long rows = Long.parseLong(opts.getOrDefault("rows", "1000000"));
        long fresh = Long.parseLong(opts.getOrDefault("fresh", "250000"));
        int runs = Integer.parseInt(opts.getOrDefault("runs", "3"));
        Path out = Path.of(opts.getOrDefault("out", "RetentionBenchmark.json"));
        String schema = "opskit_retention_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String schemaUrl = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;

        ObjectNode summary;
        try (Connection admin = DriverManager.getConnection(url); Statement s = admin.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            summary = new ObjectMapper().createObjectNode();
            summary.put("benchmark", "RetentionBenchmark");
            summary.put("server", one(admin, "SELECT version()"));
            summary.put("synchronous_commit", one(admin, "SHOW synchronous_commit"));
            summary.put("shared_buffers", one(admin, "SHOW shared_buffers"));
        }
        List<Run> all = new ArrayList<>();
        try {
            for (int run = 0; run < runs; run++) {
                // Alternate who goes first, so that a warming cache or a busy neighbour hits both alike.
                List<String> order = run % 2 == 0 ? List.of("opskit", "single_statement") : List.of("single_statement", "opskit");
                for (String contender : order) {
                    prepare(schemaUrl, rows, fresh);
                    Run r = measure(schemaUrl, contender, rows, fresh);
                    all.add(r);
                    log("run %d %-17s %,d rows in %.2f s = %,.0f rows/s; writer: %,d statements, max %.1f ms, p99 %.1f ms, %d over 1 s; lost updates %d",
                            run + 1, contender, r.rows(), r.seconds(), r.rowsPerSecond(), r.writer().statements(),
                            r.writer().maxMs(), r.writer().p99Ms(), r.writer().over1s(), r.lostUpdates());
                }
            }
        } finally {
            try (Connection admin = DriverManager.getConnection(url); Statement s = admin.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }

        summary.put("rows_archived_per_run", rows);
        summary.put("fresh_rows", fresh);
        summary.put("runs", runs);
        summary.put("java", System.getProperty("java.version"));
        summary.put("processors", Runtime.getRuntime().availableProcessors());
        ObjectNode medians = summary.putObject("medians");
        Map<String, Double> rate = new LinkedHashMap<>();
        Map<String, Double> maxWait = new LinkedHashMap<>();
        for (String contender : List.of("opskit", "single_statement")) {
            List<Run> mine = all.stream().filter(r -> r.contender().equals(contender)).toList();
            ObjectNode m = medians.putObject(contender);
            double rps = median(mine.stream().map(Run::rowsPerSecond).toList());
            double worst = mine.stream().mapToDouble(r -> r.writer().maxMs()).max().orElse(0);
            rate.put(contender, rps);
            maxWait.put(contender, worst);
            m.put("rows_per_second", Math.round(rps));
            m.put("seconds", round(median(mine.stream().map(Run::seconds).toList())));
            m.put("writer_max_wait_ms_median", round(median(mine.stream().map(r -> r.writer().maxMs()).toList())));
            m.put("writer_max_wait_ms_worst_run", round(worst));
            m.put("writer_p99_ms", round(median(mine.stream().map(r -> r.writer().p99Ms()).toList())));
            m.put("writer_p50_ms", round(median(mine.stream().map(r -> r.writer().p50Ms()).toList())));
            m.put("writer_statements_over_1s_total", mine.stream().mapToLong(r -> r.writer().over1s()).sum());
            m.put("lost_updates_total", mine.stream().mapToLong(Run::lostUpdates).sum());
        }
        ObjectNode goals = summary.putObject("goals");
        double ratio = rate.get("opskit") / rate.get("single_statement");
        goals.put("opskit_rows_per_second_vs_single_statement (goal >= 0.5)", round(ratio));
        goals.put("opskit_writer_max_wait_ms (goal <= 1000)", round(maxWait.get("opskit")));
        goals.put("single_statement_writer_max_wait_ms", round(maxWait.get("single_statement")));
        summary.putPOJO("all_runs", all.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("contender", r.contender());
            m.put("rows", r.rows());
            m.put("seconds", round(r.seconds()));
            m.put("rows_per_second", Math.round(r.rowsPerSecond()));
            m.put("writer_statements", r.writer().statements());
            m.put("writer_updates_committed", r.writer().updatesCommitted());
            m.put("writer_p50_ms", round(r.writer().p50Ms()));
            m.put("writer_p99_ms", round(r.writer().p99Ms()));
            m.put("writer_max_ms", round(r.writer().maxMs()));
            m.put("writer_over_1s", r.writer().over1s());
            m.put("lost_updates", r.lostUpdates());
            m.put("note", r.note());
            return m;
        }).toList());
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        json.writeValue(out.toFile(), summary);
        System.out.println(json.writeValueAsString(summary));
    }

    /**
     * A fresh table: {@code rows} deliveries 100 to 299 days old (ids 1..rows, in time order as an
     * application inserts them), then {@code fresh} from the last 30 days; an empty archive table;
     * vacuumed and analyzed, then a checkpoint, so every run starts alike.
     */
    private static void prepare(String url, long rows, long fresh) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS deliveries, deliveries_archive, " + RetentionTask.STATE_TABLE);
            s.execute("CREATE TABLE deliveries (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL,"
                    + " recipient text NOT NULL, status text NOT NULL, subject text NOT NULL)");
            s.execute("INSERT INTO deliveries (created_at, recipient, status, subject)"
                    + " SELECT now() - interval '300 days' + (g * (200.0 / " + rows + ")) * interval '1 day',"
                    + " 'user' || g || '@example.com', 'sent', 'Your order ' || g || ' has shipped and is on its way'"
                    + " FROM generate_series(1, " + rows + ") g");
            s.execute("INSERT INTO deliveries (created_at, recipient, status, subject)"
                    + " SELECT now() - interval '30 days' + (g * (30.0 / " + Math.max(1, fresh) + ")) * interval '1 day',"
                    + " 'user' || g || '@example.com', 'sent', 'Your order ' || g || ' has shipped and is on its way'"
                    + " FROM generate_series(1, " + fresh + ") g");
            s.execute("CREATE TABLE deliveries_archive (LIKE deliveries)");
            s.execute("VACUUM ANALYZE deliveries");
            s.execute("CHECKPOINT");
        }
    }

    private static Run measure(String url, String contender, long rows, long fresh) throws Exception {
        long maxId = rows + fresh;
        Writer writer = new Writer(url, maxId);
        Thread thread = new Thread(writer, "writer");
        thread.start();
        writer.awaitStarted();
        long start = System.nanoTime();
        long moved;
        String note;
        try {
            if (contender.equals("opskit")) {
                PGSimpleDataSource ds = new PGSimpleDataSource();
                ds.setURL(url);
                RetentionTask task = OpsDb.retention(ds, RetentionRule.table("deliveries")
                        .olderThan("created_at", Period.ofDays(90)).archiveTo("deliveries_archive"))
                        .force() // the old rows are most of the table; the manual's statement has no such check
                        .build();
                TaskOutcome outcome = task.run(TaskContext.standalone(task.name(), Duration.ofHours(1), Clock.systemUTC()));
                if (!(outcome instanceof TaskOutcome.Done done) || !"true".equals(done.details().get("complete"))) {
                    throw new IllegalStateException("retention did not complete: " + outcome.summary());
                }
                moved = Long.parseLong(done.details().get("rows"));
                note = "defaults (first batch 1,000 rows, then sized to take about 100 ms; 10 ms pause; lock_timeout 2 s)"
                        + " with force(); " + done.details().get("batches") + " batches, the largest "
                        + done.details().get("largest_batch") + " rows";
            } else {
                try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                    c.setAutoCommit(false);
                    s.executeUpdate("INSERT INTO deliveries_archive SELECT * FROM deliveries WHERE created_at < now() - interval '90 days'");
                    moved = s.executeUpdate("DELETE FROM deliveries WHERE created_at < now() - interval '90 days'");
                    c.commit();
                }
                note = "one transaction: INSERT ... SELECT, then DELETE";
            }
        } finally {
            writer.stop.set(true);
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (writer.error.get() != null) {
            throw new IllegalStateException("the writer failed", writer.error.get());
        }
        try (Connection c = DriverManager.getConnection(url)) {
            long archived = count(c, "SELECT count(*) FROM deliveries_archive");
            long distinct = count(c, "SELECT count(DISTINCT id) FROM deliveries_archive");
            long left = count(c, "SELECT count(*) FROM deliveries WHERE created_at < now() - interval '90 days'");
            long remaining = count(c, "SELECT count(*) FROM deliveries");
            if (moved != rows || archived != rows || distinct != rows || left != 0 || remaining != fresh + writer.inserted) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "%s: moved %d, archived %d (%d distinct), %d old rows left, %d remaining (expected %d)",
                        contender, moved, archived, distinct, left, remaining, fresh + writer.inserted));
            }
            long lost;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*) FROM deliveries_archive WHERE id = ANY (?) AND status <> 'opened'")) {
                Array ids = c.createArrayOf("bigint", writer.updatedOldIds().toArray());
                ps.setArray(1, ids);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    lost = rs.getLong(1);
                }
            }
            return new Run(contender, moved, seconds, writer.stats(), lost, note);
        }
    }

    /**
     * Inserts a new delivery, then marks a random one of the first {@code maxId} opened, each in its
     * own transaction, until stopped; records every statement's latency.
     */
    private static final class Writer implements Runnable {
        private final String url;
        private final long maxId;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        private final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        private long[] latencies = new long[1 << 16];
        private int n;
        private long updates;
        private final List<Long> updatedIds = new ArrayList<>();
        long inserted;

        Writer(String url, long maxId) {
            this.url = url;
            this.maxId = maxId;
        }

        @Override
        public void run() {
            try (Connection c = DriverManager.getConnection(url);
                 PreparedStatement insert = c.prepareStatement("INSERT INTO deliveries (created_at, recipient, status, subject)"
                         + " VALUES (now(), ?, 'queued', 'Your order has shipped')");
                 PreparedStatement update = c.prepareStatement("UPDATE deliveries SET status = 'opened' WHERE id = ?")) {
                started.countDown();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get()) {
                    insert.setString(1, "w" + inserted + "@example.com");
                    long t0 = System.nanoTime();
                    insert.executeUpdate();
                    record(System.nanoTime() - t0);
                    inserted++;
                    long id = 1 + random.nextLong(maxId);
                    update.setLong(1, id);
                    t0 = System.nanoTime();
                    int changed = update.executeUpdate();
                    record(System.nanoTime() - t0);
                    if (changed == 1) {
                        updates++;
                        updatedIds.add(id);
                    }
                }
            } catch (Throwable t) {
                error.set(t);
            } finally {
                started.countDown();
            }
        }

        void awaitStarted() throws InterruptedException {
            started.await();
        }

        private void record(long nanos) {
            if (n == latencies.length) {
                latencies = Arrays.copyOf(latencies, n * 2);
            }
            latencies[n++] = nanos;
        }

        /** The ids whose update committed; only meaningful after the writer stopped. */
        List<Long> updatedOldIds() {
            return updatedIds;
        }

        WriterStats stats() {
            long[] sorted = Arrays.copyOf(latencies, n);
            Arrays.sort(sorted);
            long over = Arrays.stream(sorted).filter(v -> v > 1_000_000_000L).count();
            return new WriterStats(n, updates, percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
                    n == 0 ? 0 : sorted[n - 1] / 1e6, over);
        }
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        return Long.parseLong(one(c, sql));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        if (n == 0) {
            return 0;
        }
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void log(String format, Object... args) {
        System.err.println(String.format(Locale.ROOT, format, args));
    }
}
