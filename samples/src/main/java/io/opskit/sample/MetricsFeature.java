package io.opskit.sample;

import io.opskit.metrics.HikariPoolMetrics;
import io.opskit.metrics.RequestMetrics;
import io.opskit.metrics.Slo;
import io.opskit.metrics.SloTracker;
import io.opskit.metrics.httpserver.RequestMetricsFilter;
import java.time.Duration;

/**
 * Wires request metrics on every route, /metrics, /metrics/db-pool, SLOs and generated rules into the sample.
 *
 * <p>Every route is measured by one {@link RequestMetricsFilter} (the route is the server context
 * path), which also gives each request an id in the logs and the {@code X-Request-Id} header. Two
 * SLOs from the operations manuals are tracked in process: 99.9 % availability and 95 % of
 * requests within 200 ms, both over 30 days.
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
        RequestMetrics requests = RequestMetrics.builder(host.registry())
                .histogram(true)
                .listener(slos)
                .build();
        host.filter(RequestMetricsFilter.of(requests));

        HikariPoolMetrics pool = HikariPoolMetrics.of(host.dataSource());
        pool.bindTo(host.registry());

        host.route("/metrics", exchange -> {
            if (!"/metrics".equals(exchange.getRequestURI().getPath())) {
                HttpResponses.sendError(exchange, 404, "no such resource");
                return;
            }
            HttpResponses.sendText(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                    host.registry().scrape());
        });
        host.route("/metrics/db-pool", exchange -> HttpResponses.send(exchange, 200, "application/json",
                pool.snapshot().toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
