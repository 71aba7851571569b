package io.opskit.sample;

import io.opskit.api.Threshold;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.opskit.api.Usd;
import io.opskit.api.notify.Severity;
import io.opskit.backup.retention.RetentionPolicy;
import io.opskit.metrics.AlertEvaluator;
import io.opskit.metrics.AlertPack;
import io.opskit.metrics.AlertRule;
import io.opskit.metrics.HikariPoolMetrics;
import io.opskit.metrics.LoggingNotifier;
import io.opskit.metrics.MetricsExport;
import io.opskit.metrics.RequestMetrics;
import io.opskit.metrics.RouteResolver;
import io.opskit.metrics.SecurityAlerts;
import io.opskit.metrics.Slo;
import io.opskit.metrics.SloTracker;
import io.opskit.metrics.httpserver.RequestMetricsFilter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Wires request metrics on every route, /metrics, /metrics/db-pool, SLOs and generated rules into the sample.
 *
 * <p>Every route is measured by one {@link RequestMetricsFilter} (the route is the server context
 * path), which also gives each request an id in the logs and the {@code X-Request-Id} header. Two
 * SLOs from the operations manuals are tracked in process: 99.9 % availability and 95 % of requests
 * within 200 ms, both over 30 days. An in-process alert logs when the DB pool stays above 85 % for
 * 5 minutes. On start the Prometheus rules and Grafana dashboard generated from the same
 * definitions, scoped to the Prometheus job {@code metrics.job} (default {@code opskit-sample}), are
 * written to the data directory, with the operations manuals' alerts ({@link #alertPack}) and the
 * security alerts ({@link #SECURITY_ALERTS}) over {@link SampleHost#security()}. Health,
 * metrics and admin routes are left out of the SLOs. {@code GET /admin/deploy-gate} judges a deployment
 * from the two SLOs (see {@link DeployGateRoute}). Setting {@code metrics.slow_request_ms} (default
 * 1000, decimals allowed) is the slow-request log threshold.
 */
final class MetricsFeature implements SampleFeature {

    /** 99.9 % of requests answered without a 5xx over 30 days. */
    static final Slo AVAILABILITY = Slo.availability("sample-availability", 0.999);
    /** 95 % of requests within 200 ms over 30 days. */
    static final Slo LATENCY = Slo.latency("sample-latency", 0.95, Duration.ofMillis(200));

    @Override
    public void install(SampleHost host) throws Exception {
        SloTracker slos = SloTracker.builder().clock(host.clock()).slo(AVAILABILITY).slo(LATENCY).build();
        slos.bindTo(host.registry());
        Duration slowThreshold = slowRequestThreshold(host.settings().get("metrics.slow_request_ms", "1000"));
        RequestMetrics requests = RequestMetrics.builder()
                .meterRegistry(host.registry())
                .slowRequestThreshold(slowThreshold)
                // The health context serves three probes; each is its own route. Other requests keep
                // their context path as route.
                .routeResolver(RouteResolver.templates("/health", "/health/live", "/health/ready"))
                .listener(slos)
                .listener(host.security())
                .build();
        host.filter(RequestMetricsFilter.of(requests));

        // JVM and process meters (process_cpu_usage, jvm_memory_used_bytes, ...), so that the CPU and
        // heap alerts can be written against the sample.
        new JvmMemoryMetrics().bindTo(host.registry());
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(host.registry());
        host.onClose(gc);
        new JvmThreadMetrics().bindTo(host.registry());
        // ProcessorMetrics' process.cpu.time and system.cpu.count are exported as
        // process_cpu_time_ns_total and system_cpu_count, which break Prometheus' naming rules
        // (promtool check metrics); process_cpu_usage carries the CPU alert.
        host.registry().config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
                || id.getName().equals("system.cpu.count")));
        new ProcessorMetrics().bindTo(host.registry());
        new UptimeMetrics().bindTo(host.registry());
        // disk_free_bytes and disk_total_bytes of the data directory's disk, for the disk alert.
        new DiskSpaceMetrics(host.dataDir().toFile()).bindTo(host.registry());

        HikariPoolMetrics pool = HikariPoolMetrics.of(host.dataSource());
        pool.bindTo(host.registry());

        AlertRule poolPressure = AlertRule.builder("DbPoolPressure")
                .source(() -> pool.snapshot().usageRatio())
                // Warning at 85 % (the manuals' figure), critical once every connection is lent.
                .when(Threshold.above(0.85, 1.0))
                .forDuration(Duration.ofMinutes(5))
                .summary("DB pool usage at or above 85 % for 5 minutes")
                // In process only: the alert pack's HighDbPoolUsage is the same rule for Prometheus.
                .build();
        AlertEvaluator alerts = AlertEvaluator.builder().clock(host.clock())
                .notifier(LoggingNotifier.create())
                .rule(poolPressure)
                .evaluateEvery(Duration.ofSeconds(15))
                .scheduler(host.scheduler())
                .build();
        host.onClose(alerts);

        String job = host.settings().get("metrics.job", "opskit-sample");
        MetricsExport export = MetricsExport.builder().job(job).slos(slos).alertPack(alertPack(host.settings()))
                .securityAlerts(SECURITY_ALERTS)
                .requestMetrics(requests).cacheHitRatioPanel(false) // the sample has no cache
                .title("Opskit sample").build();
        export.writeTo(host.dataDir());
        DeployGateRoute.install(host, slos, export);

        host.route("/metrics", exchange -> {
            if (!"/metrics".equals(exchange.getRequestURI().getPath())) {
                HttpResponses.sendError(exchange, 404, "no such resource");
                return;
            }
            HttpResponses.sendText(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                    host.registry().scrape());
        });
        host.route("/metrics/db-pool", exchange -> HttpResponses.send(exchange, 200, "application/json",
                pool.snapshot().toJson().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The operations manuals' alerts with their figures: service down for 1 minute; CPU above 80 % and
     * heap above 85 % (90 % critical) for 5 minutes; disk free below 10 %; 5xx above 1 % for 5 minutes
     * (5 % for 2 minutes critical); p50 above 100 ms, p95 above 500 ms, p99 above 2 s; DB pool above
     * 85 %; AI p95 above 15 s, AI error ratio above 5 %, more than 10 AI calls rate-limited in 5
     * minutes, and AI cost over 24 hours above the AI feature's hard daily budget; backups older than
     * the backup feature's RPO.
     */
    static AlertPack alertPack(SampleSettings settings) {
        Duration five = Duration.ofMinutes(5);
        double aiBudget = Double.parseDouble(settings.get("ai.budget.daily.hard.usd", AiFeedbackFeature.DEFAULT_HARD_USD));
        Duration rpo = RetentionPolicy.parseDuration(settings.get("backup.rpo", BackupFeature.DEFAULT_RPO));
        return AlertPack.builder()
                .serviceDown(Duration.ofMinutes(1), Severity.CRITICAL)
                .processCpu(0.80, five, Severity.WARNING)
                .heapUsage(0.85, five, Severity.WARNING)
                .heapUsage(0.90, five, Severity.CRITICAL)
                .diskFree(0.10, five, Severity.CRITICAL)
                .serverErrorRatio(0.01, five, Severity.WARNING)
                .serverErrorRatio(0.05, Duration.ofMinutes(2), Severity.CRITICAL)
                .latency(0.50, Duration.ofMillis(100), five, Severity.WARNING)
                .latency(0.95, Duration.ofMillis(500), five, Severity.WARNING)
                .latency(0.99, Duration.ofSeconds(2), five, Severity.WARNING)
                .dbPoolUsage(0.85, five, Severity.WARNING)
                .aiLatency(0.95, Duration.ofSeconds(15), five, Severity.WARNING)
                .aiErrorRatio(0.05, five, Severity.WARNING)
                .aiRateLimited(10, Duration.ZERO, Severity.WARNING)
                .aiDailyCost(Usd.ofDollars(aiBudget), Duration.ZERO, Severity.WARNING)
                .backupAge(rpo, Duration.ZERO, Severity.CRITICAL)
                .build();
    }

    /**
     * More than 10 failed logins a minute for 5 minutes (the admin token is the sample's only login),
     * more than 30 requests a minute answered 401 or 403 for 5 minutes, and more than 1 GiB out
     * through one export in an hour.
     */
    static final SecurityAlerts SECURITY_ALERTS = SecurityAlerts.builder()
            .failedLogins(10, Duration.ofMinutes(5), Severity.WARNING)
            .unauthorizedRequests(30, Duration.ofMinutes(5), Severity.WARNING)
            .exportVolume(1L << 30, Duration.ZERO, Severity.CRITICAL)
            .build();

    /** Milliseconds, decimals allowed ("0.5" is 500 µs). */
    private static Duration slowRequestThreshold(String value) {
        try {
            long nanos = new java.math.BigDecimal(value).movePointRight(6).longValueExact();
            if (nanos > 0) {
                return Duration.ofNanos(nanos);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // reported below
        }
        throw new IllegalArgumentException("metrics.slow_request_ms must be a positive number of milliseconds: '"
                + value + "'");
    }
}
