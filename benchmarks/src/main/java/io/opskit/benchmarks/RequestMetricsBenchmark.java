package io.opskit.benchmarks;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opskit.metrics.RequestIds;
import io.opskit.metrics.RequestMetrics;
import io.opskit.metrics.RouteResolver;
import io.opskit.metrics.TraceContext;
import io.opskit.metrics.internal.RequestMdc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Opskit's request-metrics middleware, measured against the floors in
 * {@link RequestMetricsBaselineBenchmark} (run both with the regex {@code RequestMetrics}).
 *
 * <ul>
 *   <li>{@code opskit}: the full core path of one request, {@code start()} then
 *       {@code stop(start, method, route, status, exception)}: in-flight gauge up and down, two clock
 *       reads, the pre-resolved timer lookup for (method, route, status, outcome, exception), the
 *       record, and the slow-request check; no request id;</li>
 *   <li>{@code requestId}: generating one request id (what a request without a usable
 *       {@code X-Request-Id} costs on top);</li>
 *   <li>{@code opskitTraceparent}: what the request filters add around the {@code opskit} path for a
 *       request with an accepted {@code X-Request-Id} and a valid {@code traceparent}, with the calls
 *       the filters make ({@code io.opskit.metrics.internal.RequestMdc}): the thread's previous MDC
 *       values read, the header checked, request id, trace id and span id put in the MDC, and the
 *       previous values put back after the request;</li>
 *   <li>{@code opskitNoTraceparent}: the same for a request without {@code traceparent};</li>
 *   <li>{@code opskitTraceparentUnchecked}: {@code opskitTraceparent} without the header's check,
 *       the floor of any implementation (the MDC must hold the two ids as strings);</li>
 *   <li>{@code opskitRouted}: the {@code opskit} path with the route found by
 *       {@link RouteResolver#templates(List)} among {@link Routes#templates} templates (10 or
 *       10,000), for the path of the last one added, which a scan in order would reach last.</li>
 * </ul>
 * Same tags, registries and histogram setting (off) as the baseline. Run with {@code -prof gc}. The
 * benchmarks' SLF4J binding is slf4j-nop, whose MDC stores nothing: the MDC figures are Opskit's
 * own work, not a logging backend's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RequestMetricsBenchmark {

    /** The registry under test: Micrometer's simple registry or the Prometheus one. */
    @Param({"simple", "prometheus"})
    public String registryKind;

    private MeterRegistry registry;
    private RequestMetrics metrics;

    @Setup
    public void setUp() {
        registry = "prometheus".equals(registryKind)
                ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)
                : new SimpleMeterRegistry();
        metrics = RequestMetrics.builder().meterRegistry(registry).build();
    }

    @TearDown
    public void tearDown() {
        registry.close();
    }

    @Benchmark
    public long opskit() {
        long start = metrics.start();
        return metrics.stop(start, "GET", "/api/items/{id}", 200, null);
    }

    /** A valid header, as a caller's tracing library sends it (the W3C specification's example). */
    private String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private String incomingId = "client-req-0001";
    private String noHeader = null;

    @Benchmark
    public long opskitTraceparent() {
        return filtered(traceparent);
    }

    @Benchmark
    public long opskitNoTraceparent() {
        return filtered(noHeader);
    }

    /** The filters' sequence (httpserver.RequestMetricsFilter and servlet.RequestMetricsServletFilter). */
    private long filtered(String header) {
        String previousId = RequestMdc.get(RequestIds.MDC_KEY);
        String previousTraceId = RequestMdc.get(TraceContext.TRACE_ID_KEY);
        String previousSpanId = RequestMdc.get(TraceContext.SPAN_ID_KEY);
        RequestMdc.enter(incomingId, header);
        try {
            long start = metrics.start();
            return metrics.stop(start, "GET", "/api/items/{id}", 200, null);
        } finally {
            RequestMdc.restore(previousId, previousTraceId, previousSpanId);
        }
    }

    /**
     * The floor under {@code opskitTraceparent}: the same sequence with the two ids cut from the
     * header and put in the MDC unchecked. No implementation that validates the header can cost
     * less, since the MDC must hold the two ids as strings.
     */
    @Benchmark
    public long opskitTraceparentUnchecked() {
        String previousId = RequestMdc.get(RequestIds.MDC_KEY);
        String previousTraceId = RequestMdc.get(TraceContext.TRACE_ID_KEY);
        String previousSpanId = RequestMdc.get(TraceContext.SPAN_ID_KEY);
        RequestMdc.put(RequestIds.MDC_KEY, incomingId);
        RequestMdc.put(TraceContext.TRACE_ID_KEY, traceparent.substring(3, 35));
        RequestMdc.put(TraceContext.SPAN_ID_KEY, traceparent.substring(36, 52));
        try {
            long start = metrics.start();
            return metrics.stop(start, "GET", "/api/items/{id}", 200, null);
        } finally {
            RequestMdc.restore(previousId, previousTraceId, previousSpanId);
        }
    }

    @Benchmark
    public long opskitRouted(Routes routes) {
        long start = metrics.start();
        String route = routes.resolver.resolve("GET", routes.path).orElse(null);
        return metrics.stop(start, "GET", route, 200, null);
    }

    /** Route templates of a large API: {@code /api/v1/resourceN/{id}} and {@code .../{id}/items}. */
    @State(Scope.Benchmark)
    public static class Routes {
        /** How many templates the resolver holds. */
        @Param({"10", "10000"})
        public int templates;

        RouteResolver resolver;
        String path;

        @Setup
        public void setUp() {
            List<String> list = new ArrayList<>();
            for (int i = 0; i < templates / 2; i++) {
                list.add("/api/v1/resource" + i + "/{id}");
                list.add("/api/v1/resource" + i + "/{id}/items");
            }
            resolver = RouteResolver.templates(list);
            path = "/api/v1/resource" + (templates / 2 - 1) + "/42/items";
            if (!resolver.resolve("GET", path).orElseThrow().equals(list.get(list.size() - 1))) {
                throw new IllegalStateException("the benchmark path must match the last template");
            }
        }
    }

    @Benchmark
    public String requestId() {
        return RequestIds.generate();
    }
}
