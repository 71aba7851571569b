package io.opskit.sample;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.Probe;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.metrics.SecuritySignals;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import io.opskit.api.task.OpsTask;
import io.opskit.jobs.JobOptions;
import io.opskit.jobs.OpsJobs;
import io.opskit.jobs.Schedule;

/**
 * What the sample offers to each {@link SampleFeature}: its resources (data directory, SQLite
 * pool, meter registry, settings, scheduler) and the registration points for routes, filters,
 * health checks and things to close on shutdown. Used only during start-up, from one thread.
 */
public final class SampleHost {

    /** A health check contributed by a feature, run by the health feature. */
    public record ContributedCheck(String name, HealthCheck check, boolean critical, Set<Probe> probes) {
        public ContributedCheck {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(check, "check");
            probes = Set.copyOf(probes);
        }
    }

    private final SampleOptions options;
    private final SampleSettings settings;
    private final HikariDataSource dataSource;
    private final PrometheusMeterRegistry registry;
    private final ScheduledExecutorService scheduler;
    private final AdminAuth admin;
    private final SecuritySignals security;
    private final Clock clock;
    /** The largest request body a route accepts unless it says otherwise: 64 KiB. */
    public static final long DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    /** The body type a route accepts unless it says otherwise. */
    public static final Set<String> JSON = Set.of("application/json");

    private final Map<String, HttpHandler> routes = new LinkedHashMap<>();
    private final List<Filter> filters = new ArrayList<>();
    private final List<ContributedCheck> checks = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<ScheduledJob> scheduledJobs = new ArrayList<>();
    private OpsJobs jobs;

    /** A job contributed by a feature, scheduled by the jobs feature. */
    public record ScheduledJob(OpsTask task, Schedule schedule, JobOptions options) {
        public ScheduledJob {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(schedule, "schedule");
            Objects.requireNonNull(options, "options");
        }
    }
    private final List<Notifier> notifiers = new CopyOnWriteArrayList<>();
    private final Notifier events = new Notifier() {
        @Override
        public void notify(OpsEvent event) {
            for (Notifier n : notifiers) {
                n.notify(event);
            }
        }

        @Override
        public String toString() {
            return "sample events " + notifiers;
        }
    };

    SampleHost(SampleOptions options, SampleSettings settings, HikariDataSource dataSource,
               PrometheusMeterRegistry registry, ScheduledExecutorService scheduler, Clock clock) {
        this.options = options;
        this.settings = settings;
        this.dataSource = dataSource;
        this.registry = registry;
        this.scheduler = scheduler;
        this.admin = new AdminAuth(options.adminToken());
        this.security = SecuritySignals.builder().meterRegistry(registry).build();
        this.clock = clock;
    }

    /** The data directory (holds the database, backups and settings). */
    public Path dataDir() {
        return options.dataDir();
    }

    /** The SQLite database file. */
    public Path databaseFile() {
        return options.dataDir().resolve("app.db");
    }

    /** The backup repository: setting {@code backup.dir}, default {@code backups/} in the data directory. */
    public Path backupDir() {
        String configured = settings.get("backup.dir", "");
        return configured.isEmpty() ? options.dataDir().resolve("backups") : Path.of(configured);
    }

    /** The start-up options. */
    public SampleOptions options() {
        return options;
    }

    /** The settings file with environment overrides. */
    public SampleSettings settings() {
        return settings;
    }

    /** The HikariCP pool over the SQLite database. */
    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** The Prometheus meter registry that {@code /metrics} scrapes. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** A shared scheduler for background work; shut down after the server stops. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** The admin token check. */
    public AdminAuth admin() {
        return admin;
    }

    /**
     * Failed-login, 401/403 and export counters: a failed admin token check counts as a failed login
     * (reason only, never the token); the request filter counts the 401 and 403 answers.
     */
    public SecuritySignals security() {
        return security;
    }

    /** The clock the sample uses. */
    public Clock clock() {
        return clock;
    }

    /**
     * Serves exactly {@code path} with {@code handler}: {@code /admin/backup} does not serve
     * {@code /admin/backupNOW} or {@code /admin/backup/x} (404). A request body must be
     * {@code application/json} (else 415) and at most {@link #DEFAULT_MAX_BODY_BYTES} (else 413).
     * Every filter registered by any feature applies to it.
     *
     * @throws IllegalArgumentException when the path is already taken
     */
    public void route(String path, HttpHandler handler) {
        route(path, JSON, DEFAULT_MAX_BODY_BYTES, handler);
    }

    /**
     * Serves exactly {@code path}, accepting bodies of the given media types up to {@code maxBodyBytes}.
     *
     * @throws IllegalArgumentException when the path is already taken or the limit is negative
     */
    public void route(String path, Set<String> contentTypes, long maxBodyBytes, HttpHandler handler) {
        add(path, new RouteGuard(path, false, requireLimit(maxBodyBytes), contentTypes, handler));
    }

    /**
     * Serves {@code path} and every path below it ({@code /health}, {@code /health/ready}, but not
     * {@code /healthz}), with the body rules of {@link #route(String, HttpHandler)}.
     *
     * @throws IllegalArgumentException when the path is already taken
     */
    public void routeTree(String path, HttpHandler handler) {
        add(path, new RouteGuard(path, true, DEFAULT_MAX_BODY_BYTES, JSON, handler));
    }

    private void add(String path, HttpHandler guarded) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("route must start with '/': " + path);
        }
        if (routes.putIfAbsent(path, guarded) != null) {
            throw new IllegalArgumentException("route already registered: " + path);
        }
    }

    private static long requireLimit(long maxBodyBytes) {
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must not be negative: " + maxBodyBytes);
        }
        return maxBodyBytes;
    }

    /**
     * Serves an admin endpoint: answers 401 without the admin token and 403 when admin endpoints
     * are disabled (no {@code OPSKIT_ADMIN_TOKEN}).
     */
    public void adminRoute(String path, HttpHandler handler) {
        route(path, exchange -> {
            if (!admin.enabled()) {
                HttpResponses.sendError(exchange, 403, "admin endpoints are disabled: OPSKIT_ADMIN_TOKEN is not set");
            } else if (!admin.authorized(exchange)) {
                security.loginFailed(exchange.getRequestHeaders().getFirst("Authorization") == null
                        ? SecuritySignals.AuthFailure.MISSING_CREDENTIALS : SecuritySignals.AuthFailure.BAD_CREDENTIALS);
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                HttpResponses.sendError(exchange, 401, "admin token required: send Authorization: Bearer <token>");
            } else {
                handler.handle(exchange);
            }
        });
    }

    /** Adds a filter that applies to every route, in registration order. */
    public void filter(Filter filter) {
        filters.add(Objects.requireNonNull(filter, "filter"));
    }

    /** Contributes a health check for the health feature to run. */
    public void healthCheck(String name, HealthCheck check, boolean critical, Probe... probes) {
        checks.add(new ContributedCheck(name, check, critical, Set.of(probes)));
    }

    /** The health checks contributed so far, in order. */
    public List<ContributedCheck> contributedChecks() {
        return Collections.unmodifiableList(checks);
    }

    /** Adds a notifier that hears every event the features publish through {@link #events()}. */
    public void notifier(Notifier notifier) {
        notifiers.add(Objects.requireNonNull(notifier, "notifier"));
    }

    /**
     * The notifier features give their modules: it passes each event to every notifier added with
     * {@link #notifier(Notifier)}, whenever it was added (none: events go nowhere).
     */
    public Notifier events() {
        return events;
    }

    /** Contributes a job for the jobs feature to schedule (features installed before it). */
    public void scheduleJob(OpsTask task, Schedule schedule, JobOptions options) {
        scheduledJobs.add(new ScheduledJob(task, schedule, options));
    }

    /** The jobs contributed so far, in order. */
    public List<ScheduledJob> scheduledJobs() {
        return Collections.unmodifiableList(scheduledJobs);
    }

    /**
     * The running scheduler, for request handlers (set by the jobs feature during start-up).
     *
     * @throws IllegalStateException before the jobs feature started it
     */
    public OpsJobs jobs() {
        if (jobs == null) {
            throw new IllegalStateException("the jobs feature has not started yet");
        }
        return jobs;
    }

    void jobs(OpsJobs value) {
        this.jobs = Objects.requireNonNull(value, "jobs");
    }

    /** Registers something to close on shutdown, after the server has drained; closed in reverse order. */
    public void onClose(AutoCloseable closeable) {
        closeables.add(Objects.requireNonNull(closeable, "closeable"));
    }

    Map<String, HttpHandler> routes() {
        return routes;
    }

    List<Filter> filters() {
        return filters;
    }

    List<AutoCloseable> closeables() {
        return closeables;
    }

    /** The method of an exchange, for handlers that serve one method. */
    static boolean isMethod(HttpExchange exchange, String method) {
        return method.equalsIgnoreCase(exchange.getRequestMethod());
    }
}
