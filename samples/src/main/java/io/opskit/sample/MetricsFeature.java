package io.opskit.sample;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.opskit.api.notify.Severity;
import io.opskit.metrics.AlertEvaluator;
import io.opskit.metrics.AlertRule;
import io.opskit.metrics.Comparison;
import io.opskit.metrics.HikariPoolMetrics;
import io.opskit.metrics.LoggingNotifier;
import io.opskit.metrics.MetricsExport;
import io.opskit.metrics.RequestMetrics;
import io.opskit.metrics.RouteResolver;
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
 * written to the data directory. Health, metrics and admin routes are left out of the SLOs. Setting {@code metrics.slow_request_ms} (default
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

        HikariPoolMetrics pool = HikariPoolMetrics.of(host.dataSource());
        pool.bindTo(host.registry());

        AlertRule poolPressure = AlertRule.builder("DbPoolPressure")
                .source(() -> pool.snapshot().usageRatio())
                .when(Comparison.ABOVE, 0.85)
                .forDuration(Duration.ofMinutes(5))
                .severity(Severity.WARNING)
                .summary("DB pool usage above 85 % for 5 minutes")
                // The instant value: "for: 5m" is the wait; an avg_over_time[5m] on top would double it.
                .promql("max by (job, instance, pool) (db_pool_usage_ratio{" + MetricsExport.SELECTOR_PLACEHOLDER + "})")
                .build();
        AlertEvaluator alerts = AlertEvaluator.builder().clock(host.clock())
                .notifier(LoggingNotifier.create())
                .rule(poolPressure)
                .build();
        alerts.start(host.scheduler(), Duration.ofSeconds(15));
        host.onClose(alerts);

        String job = host.settings().get("metrics.job", "opskit-sample");
        MetricsExport.builder().job(job).slos(slos).alertRule(poolPressure).title("Opskit sample").build()
                .writeTo(host.dataDir());

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
