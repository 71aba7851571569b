package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {

    private final MockClock clock = new MockClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);

    private List<Timer> timers() {
        return registry.find(RequestMetrics.TIMER).timers().stream().collect(Collectors.toList());
    }

    @Test
    void stop_knownRoute_recordsTimerWithAllTags() {
        RequestMetrics metrics = RequestMetrics.builder().meterRegistry(registry).build();
        long start = metrics.start();
        assertThat(metrics.inFlight()).isEqualTo(1);
        assertThat(registry.get(RequestMetrics.IN_FLIGHT).gauge().value()).isEqualTo(1);
        clock.add(Duration.ofMillis(42));
        long took = metrics.stop(start, "GET", "/api/items/{id}", 200, null);

        assertThat(took).isEqualTo(TimeUnit.MILLISECONDS.toNanos(42));
        Timer timer = registry.get(RequestMetrics.TIMER).tags("method", "GET", "route", "/api/items/{id}",
                "status", "200", "outcome", "SUCCESS").timer();
        assertThat(timer.getId().getTag("exception")).as("no exception, no tag").isNull();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(42);
        assertThat(metrics.inFlight()).isZero();
    }

    @Test
    void stop_unmatchedAndNotFound_useReservedRoutes() {
        RequestMetrics metrics = RequestMetrics.builder().meterRegistry(registry).build();
        metrics.stop(metrics.start(), "GET", null, 404, null);
        metrics.stop(metrics.start(), "POST", null, 405, null);
        assertThat(registry.get(RequestMetrics.TIMER).tags("route", "NOT_FOUND", "outcome", "CLIENT_ERROR").timer()
                .count()).isEqualTo(1);
        assertThat(registry.get(RequestMetrics.TIMER).tags("route", "UNMATCHED", "status", "405").timer().count())
                .isEqualTo(1);
    }

    @Test
    void stop_nonStandardMethodAndOddStatus_becomeOtherAndUnknown() {
        RequestMetrics metrics = RequestMetrics.builder().meterRegistry(registry).build();
        metrics.stop(metrics.start(), "get", "/", 200, null);
        metrics.stop(metrics.start(), "PROPFIND", "/", 999, null);
        assertThat(timers()).allSatisfy(t -> assertThat(t.getId().getTag("method")).isEqualTo("OTHER"));
        assertThat(registry.get(RequestMetrics.TIMER).tags("status", "UNKNOWN", "outcome", "UNKNOWN").timer()
                .count()).isEqualTo(1);
    }

    @Test
    void stop_withException_tagsSimpleClassNameAndServerError() {
        RequestMetrics metrics = RequestMetrics.builder().meterRegistry(registry).build();
        metrics.stop(metrics.start(), "GET", "/boom", 500, new IllegalStateException("secret=hunter2"));
        Timer timer = registry.get(RequestMetrics.TIMER).tags("exception", "IllegalStateException").timer();
        assertThat(timer.getId().getTag("outcome")).isEqualTo("SERVER_ERROR");
        assertThat(timer.getId().getTags().toString()).doesNotContain("hunter2");
    }

    @Test
    void stop_100000DistinctRawPaths_meterCountStaysWithinCap() {
        RequestMetrics metrics = RequestMetrics.builder().meterRegistry(registry).maxRoutes(50).build();
        try (LogCapture logs = new LogCapture()) {
            for (int i = 0; i < 100_000; i++) {
                // A host mistake: raw paths passed as routes. The cap must still hold.
                metrics.stop(metrics.start(), "GET", "/users/" + i + "/profile", 200, null);
            }
            assertThat(timers().stream().map(t -> t.getId().getTag("route")).distinct()).hasSizeLessThanOrEqualTo(50);
            // Each route-method pair holds its 200 series and its 500 series registered at zero.
            assertThat(timers()).hasSizeLessThanOrEqualTo(100);
            assertThat(timers().stream().map(t -> t.getId().getTag("route"))).contains("OTHER");
            double overflow = registry.get(RequestMetrics.ROUTE_OVERFLOW).counter().count();
            assertThat(overflow).isEqualTo(100_000 - 47);
            assertThat(logs.lines().stream().filter(l -> l.startsWith("WARN") && l.contains("OTHER")))
                    .as("warned once").hasSize(1);
        }
    }

    @Test
    void stop_100000RawPathsThroughResolver_recordOneUnmatchedTimer() {
        RouteResolver resolver = RouteResolver.templates("/api/items/{id}");
        RequestMetrics metrics = RequestMetrics.builder().meterRegistry(registry).maxRoutes(50).routeResolver(resolver).build();
        for (int i = 0; i < 100_000; i++) {
            String path = "/probe/" + i;
            metrics.stop(metrics.start(), "GET", resolver.resolve("GET", path).orElse(null), 200, null);
        }
        assertThat(timers()).extracting(t -> t.getId().getTag("route") + " " + t.getId().getTag("status") + " "
                + t.count()).containsExactlyInAnyOrder("UNMATCHED 200 100000", "UNMATCHED 500 0");
    }

    @Test
    void histogram_enabled_publishesOnlySloBuckets() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RequestMetrics metrics = RequestMetrics.builder().meterRegistry(prometheus).histogram(true).build();
        metrics.stop(metrics.start(), "GET", "/", 200, null);
        String scrape = prometheus.scrape();
        List<String> buckets = scrape.lines().filter(l -> l.startsWith("http_server_requests_seconds_bucket")
                        && l.contains("status=\"200\"")).collect(Collectors.toList());
        // 5 ms to 60 s (19 edges) and +Inf, not Micrometer's hundreds of percentile buckets.
        assertThat(buckets).hasSize(20);
        assertThat(scrape).contains("le=\"0.005\"").contains("le=\"0.2\"").contains("le=\"45.0\"")
                .contains("le=\"60.0\"").contains("le=\"+Inf\"");
    }

    @Test
    void histogram_off_publishesNoBuckets() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RequestMetrics metrics = RequestMetrics.builder().meterRegistry(prometheus).build();
        metrics.stop(metrics.start(), "GET", "/", 200, null);
        assertThat(prometheus.scrape()).contains("http_server_requests_seconds_count")
                .doesNotContain("http_server_requests_seconds_bucket");
    }

    @Test
    void stop_slowRequest_logsOneWarnLineWithRequestId() {
        RequestMetrics metrics = RequestMetrics.builder().meterRegistry(registry).slowRequestThreshold(Duration.ofMillis(500)).build();
        try (LogCapture logs = new LogCapture()) {
            try (RequestIds.Scope scope = RequestIds.enter("req-123")) {
                long start = metrics.start();
                clock.add(Duration.ofMillis(750));
                metrics.stop(start, "POST", "/api/orders", 201, null);
                long fast = metrics.start();
                clock.add(Duration.ofMillis(10));
                metrics.stop(fast, "POST", "/api/orders", 201, null);
            }
            assertThat(logs.lines()).filteredOn(l -> l.contains("slow request")).singleElement().asString()
                    .startsWith("WARN").contains("method=POST").contains("route=/api/orders")
                    .contains("status=201").contains("duration_ms=750").contains("request_id=req-123");
        }
    }

    @Test
    void builder_invalidValues_namesFieldAndValue() {
        assertThatThrownBy(() -> RequestMetrics.builder().meterRegistry(registry).maxRoutes(3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxRoutes must be at least 4 (3 reserved values + 1): 3");
        assertThatThrownBy(() -> RequestMetrics.builder().meterRegistry(registry).slowRequestThreshold(Duration.ZERO))
                .hasMessage("slowRequestThreshold must be positive: PT0S");
        assertThatThrownBy(() -> RequestMetrics.builder().meterRegistry(registry).buckets(List.of(Duration.ofMillis(-1))))
                .hasMessage("buckets must be positive: PT-0.001S");
    }

    @Test
    void listener_throwing_doesNotBreakRecording() {
        RequestMetrics metrics = RequestMetrics.builder().meterRegistry(registry)
                .listener((m, r, s, f, x, d) -> {
                    throw new IllegalStateException("listener bug");
                }).build();
        metrics.stop(metrics.start(), "GET", "/", 200, null);
        metrics.stop(metrics.start(), "GET", "/", 200, null);
        assertThat(registry.get(RequestMetrics.TIMER).timer().count()).isEqualTo(2);
    }

    @Test
    void meters_areDescribed() {
        RequestMetrics.builder().meterRegistry(registry).build().stop(0, "GET", "/", 200, null);
        for (Meter meter : registry.getMeters()) {
            assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
        }
    }
}
