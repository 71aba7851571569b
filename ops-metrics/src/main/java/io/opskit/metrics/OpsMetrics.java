package io.opskit.metrics;

import io.opskit.metrics.httpserver.RequestMetricsFilter;

/**
 * The front door of Opskit Metrics: where each part starts.
 *
 * <pre>{@code
 * SloTracker slos = OpsMetrics.slos().slo(Slo.availability("api", 0.999)).build();
 * RequestMetrics requests = OpsMetrics.requests().meterRegistry(registry).listener(slos).build();
 * server.createContext("/api/items", handler).getFilters().add(OpsMetrics.httpServerFilter(requests));
 * }</pre>
 *
 * HikariCP and Caffeine gauges start at {@link HikariPoolMetrics#of} and {@link CaffeineCacheGauges#of}
 * (kept out of this class so that it never needs those optional libraries). Stateless.
 */
public final class OpsMetrics {

    private OpsMetrics() {
    }

    /** Request metrics; give them a registry with {@code meterRegistry(...)}. See {@link RequestMetrics}. */
    public static RequestMetrics.Builder requests() {
        return RequestMetrics.builder();
    }

    /** A JDK {@code HttpServer} filter over {@code requests}; see {@link RequestMetricsFilter}. */
    public static RequestMetricsFilter httpServerFilter(RequestMetrics requests) {
        return RequestMetricsFilter.of(requests);
    }

    /** In-process SLO tracking; see {@link SloTracker}. */
    public static SloTracker.Builder slos() {
        return SloTracker.builder();
    }

    /** In-process threshold alerts; see {@link AlertEvaluator}. */
    public static AlertEvaluator.Builder alerts() {
        return AlertEvaluator.builder();
    }

    /** Prometheus rules and a Grafana dashboard from the same definitions; see {@link MetricsExport}. */
    public static MetricsExport.Builder export() {
        return MetricsExport.builder();
    }

    /** The operations manuals' alerts, exported with {@link MetricsExport.Builder#alertPack(AlertPack)}; see {@link AlertPack}. */
    public static AlertPack.Builder alertPack() {
        return AlertPack.builder();
    }

    /** A deploy gate over chosen SLOs; see {@link DeployGate}. */
    public static DeployGate.Builder deployGate() {
        return DeployGate.builder();
    }
}
