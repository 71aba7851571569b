package io.opskit.sample;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.opskit.api.health.Probe;
import io.opskit.api.internal.ByteSize;
import io.opskit.api.internal.DurationText;
import io.opskit.api.task.OpsTask;
import io.opskit.api.task.TaskContext;
import io.opskit.api.task.TaskOutcome;
import io.opskit.db.OpsDb;
import io.opskit.db.StorageGuard;
import io.opskit.db.StorageUsage;
import io.opskit.db.TimedDataSource;
import io.opskit.db.tasks.MaintenanceKind;
import io.opskit.db.tasks.MaintenanceTask;
import io.opskit.db.tasks.RetentionRule;
import io.opskit.db.tasks.RetentionTask;
import io.opskit.jobs.JobOptions;
import io.opskit.jobs.Schedule;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sample's database feature: every {@code POST /api/feedback} body is stored in the SQLite
 * database through a timed data source (statement metrics on {@code /metrics}, slow statements
 * logged), guarded by the storage guard (settings {@code storage.max}, default {@code 10GB},
 * {@code storage.warning}, {@code storage.critical}): at the maximum the request is answered 507
 * with JSON naming the limit, while reads, {@code /health/live} and {@code /metrics} keep
 * answering. {@code GET /admin/db/report} (admin token) returns the diagnostics report as JSON.
 *
 * <p>Three jobs for the {@link JobsFeature} to schedule once across replicas, in {@code db.zone}
 * (default UTC): {@value #MAINTENANCE_JOB} ({@code PRAGMA optimize}, then {@code ANALYZE};
 * {@code db.maintenance.schedule}, default Sundays 03:00), {@code maintenance:sqlite.integrity_check}
 * ({@code db.integrity.schedule}, default Sundays 03:30) and {@code retention:feedback}, which deletes
 * stored feedback older than {@code feedback.retention} (default {@code 180d}) in batches
 * ({@code feedback.retention.schedule}, default daily 01:00).
 */
final class DbFeature implements SampleFeature {

    /** The weekly optimize-then-analyze job. */
    static final String MAINTENANCE_JOB = "maintenance:app-db";

    /** Largest body stored; the AI feature enforces its own, smaller, limit. */
    private static final int MAX_BODY_BYTES = 64 * 1024;

    @Override
    public void install(SampleHost host) throws Exception {
        TimedDataSource timed = OpsDb.timed(host.dataSource()).meterRegistry(host.registry()).build();
        long max = ByteSize.parse(host.settings().get("storage.max", "10GB"));
        StorageGuard.Builder guardBuilder = OpsDb.storageGuard(host.dataSource()).name("app-db").maximum(max)
                .meterRegistry(host.registry()).clock(host.clock());
        String warning = host.settings().get("storage.warning", "");
        if (!warning.isBlank()) {
            guardBuilder.warning(ByteSize.parse(warning));
        }
        String critical = host.settings().get("storage.critical", "");
        if (!critical.isBlank()) {
            guardBuilder.critical(ByteSize.parse(critical));
        }
        StorageGuard guard = guardBuilder.build();
        host.onClose(guard);
        try (Connection c = timed.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, body TEXT NOT NULL)");
        }
        scheduleJobs(host);
        host.healthCheck("db-storage", guard.healthCheck(), false, Probe.READINESS);
        host.filter(new FeedbackStore(timed, guard, host));
        host.adminRoute("/admin/db/report", exchange -> {
            try {
                HttpResponses.send(exchange, 200, "application/json",
                        OpsDb.diagnose(host.dataSource()).toJson().getBytes(StandardCharsets.UTF_8));
            } catch (SQLException e) {
                HttpResponses.sendError(exchange, 503, "database report failed: " + e.getClass().getSimpleName());
            }
        });
    }

    private static void scheduleJobs(SampleHost host) {
        SampleSettings settings = host.settings();
        ZoneId zone = ZoneId.of(settings.get("db.zone", "UTC"));
        List<MaintenanceTask> weekly = List.of(
                OpsDb.maintenance(host.dataSource(), MaintenanceKind.SQLITE_OPTIMIZE).clock(host.clock())
                        .meterRegistry(host.registry()).build(),
                OpsDb.maintenance(host.dataSource(), MaintenanceKind.SQLITE_ANALYZE).clock(host.clock())
                        .meterRegistry(host.registry()).build());
        host.scheduleJob(new InOrder(MAINTENANCE_JOB, weekly),
                Schedule.parse(settings.get("db.maintenance.schedule", "0 3 * * SUN"), zone),
                JobOptions.defaults().withDeadline(Duration.ofMinutes(30)));
        host.scheduleJob(OpsDb.maintenance(host.dataSource(), MaintenanceKind.SQLITE_INTEGRITY_CHECK).clock(host.clock())
                        .meterRegistry(host.registry()).build(),
                Schedule.parse(settings.get("db.integrity.schedule", "30 3 * * SUN"), zone),
                JobOptions.defaults().withDeadline(Duration.ofMinutes(30)));
        Duration keep = DurationText.parse(settings.get("feedback.retention", "180d"));
        RetentionTask retention = OpsDb.retention(host.dataSource(), RetentionRule.table("feedback")
                        .olderThan("created_at", keep).timeFormat(RetentionRule.TimeFormat.EPOCH_MILLIS).delete())
                .clock(host.clock()).meterRegistry(host.registry()).notifier(host.events()).build();
        host.scheduleJob(retention, Schedule.parse(settings.get("feedback.retention.schedule", "0 1 * * *"), zone),
                JobOptions.defaults().withDeadline(Duration.ofMinutes(30)));
    }

    /** Runs tasks one after another (two maintenance statements must not compete for SQLite's lock). */
    private static final class InOrder implements OpsTask {
        private final String name;
        private final List<? extends OpsTask> tasks;

        InOrder(String name, List<? extends OpsTask> tasks) {
            this.name = name;
            this.tasks = List.copyOf(tasks);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public TaskOutcome run(TaskContext context) throws Exception {
            List<String> summaries = new ArrayList<>();
            Map<String, String> details = new LinkedHashMap<>();
            for (OpsTask task : tasks) {
                context.checkCancelled();
                TaskOutcome outcome = task.run(context);
                details.put(task.name(), outcome.summary());
                if (!(outcome instanceof TaskOutcome.Done)) {
                    return outcome;
                }
                summaries.add(outcome.summary());
            }
            return new TaskOutcome.Done(String.join("; ", summaries), details);
        }
    }

    /** Stores each feedback body before the AI feature answers it; refuses with 507 when full. */
    private static final class FeedbackStore extends Filter {
        private final TimedDataSource timed;
        private final StorageGuard guard;
        private final SampleHost host;

        FeedbackStore(TimedDataSource timed, StorageGuard guard, SampleHost host) {
            this.timed = timed;
            this.guard = guard;
            this.host = host;
        }

        @Override
        public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
            if (!"/api/feedback".equals(exchange.getRequestURI().getPath()) || !SampleHost.isMethod(exchange, "POST")) {
                chain.doFilter(exchange);
                return;
            }
            if (!guard.tryWrite()) {
                StorageUsage usage = guard.lastUsage().orElseThrow();
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("error", "storage full: the database reached its " + ByteSize.format(guard.maximumBytes())
                        + " limit; new feedback is refused");
                body.put("limit", "storage.max");
                body.put("limit_bytes", guard.maximumBytes());
                body.put("used_bytes", usage.usedBytes());
                HttpResponses.sendJson(exchange, 507, body);
                return;
            }
            byte[] bytes;
            try (InputStream in = exchange.getRequestBody()) {
                bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            }
            if (bytes.length <= MAX_BODY_BYTES && bytes.length > 0) {
                try (Connection c = timed.getConnection();
                     PreparedStatement ps = c.prepareStatement("INSERT INTO feedback(created_at, body) VALUES (?, ?)")) {
                    ps.setLong(1, host.clock().millis());
                    ps.setString(2, new String(bytes, StandardCharsets.UTF_8));
                    ps.executeUpdate();
                } catch (SQLException e) {
                    // SQLITE_FULL when max_page_count is reached between two guard measurements
                    HttpResponses.sendError(exchange, 507, "storage full or unavailable: feedback not stored ("
                            + e.getClass().getSimpleName() + ")");
                    return;
                }
            }
            exchange.setStreams(new ByteArrayInputStream(bytes), null);
            chain.doFilter(exchange);
        }

        @Override
        public String description() {
            return "stores feedback through the timed data source, refuses it at the storage maximum";
        }
    }
}
