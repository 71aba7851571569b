package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Regressions for the findings about request metrics: first bursts, latency SLOs, route values. */
class RequestMetricsFindingsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void finding3_firstServerErrorOfARoute_isAnIncreaseOfASeriesThatExistedAtZero() {
        RequestMetrics metrics = RequestMetrics.builder().meterRegistry(registry).build();
        metrics.stop(metrics.start(), "GET", "/api/items", 200, null);
        Timer serverErrors = registry.get(RequestMetrics.TIMER).tags("route", "/api/items", "status", "500").timer();
        // Exposed at 0 before the first 5xx: Prometheus' increase() then sees the whole first burst.
        assertThat(serverErrors.count()).isZero();
        assertThat(serverErrors.getId().getTag("outcome")).isEqualTo("SERVER_ERROR");
        metrics.stop(metrics.start(), "GET", "/api/items", 500, null);
        assertThat(serverErrors.count()).isEqualTo(1);
    }

    @Test
    void finding4_latencySlo_turnsHistogramOnWithItsThresholdAsEdge() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SloTracker slos = SloTracker.builder()
                .slo(Slo.latency("chat-latency", 0.95, Duration.ofMillis(1200))).build();
        RequestMetrics metrics = RequestMetrics.builder().meterRegistry(prometheus).listener(slos).build();
        metrics.stop(metrics.start(), "POST", "/chat", 200, null);
        String scrape = prometheus.scrape();
        // 1.2 s is an edge, not interpolated; 45 s and 60 s exist so "p95 > 45 s" can fire.
        assertThat(scrape).contains("le=\"1.2\"").contains("le=\"45.0\"").contains("le=\"60.0\"");
        assertThat(metrics.buckets()).contains(Duration.ofMillis(1200), Duration.ofMillis(5), Duration.ofSeconds(60));
    }

    @Test
    void finding4_latencySloWithHistogramOff_failsTheBuildNamingTheSlo() {
        SloTracker slos = SloTracker.builder()
                .slo(Slo.latency("chat-latency", 0.95, Duration.ofSeconds(45))).build();
        assertThatThrownBy(() -> RequestMetrics.builder().meterRegistry(registry).histogram(false).listener(slos).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("histogram is off, but latency SLO 'chat-latency' needs its buckets: remove "
                        + "histogram(false) or the SLO");
    }

    @Test
    void finding6_routeWithDecodedCrLf_isRecordedAsUnmatchedEverywhere() {
        List<String> heard = new ArrayList<>();
        RequestMetrics metrics = RequestMetrics.builder().meterRegistry(registry)
                .slowRequestThreshold(Duration.ofNanos(1))
                .listener((m, route, s, f, r, d) -> heard.add(route)).build();
        try (LogCapture logs = new LogCapture()) {
            metrics.stop(metrics.start(), "GET", "/api/x\r\nFAKE level=ERROR", 200, null);
            metrics.stop(metrics.start(), "GET", "/api/" + "y".repeat(300), 200, null);
            assertThat(logs.lines()).allSatisfy(l -> assertThat(l).doesNotContain("\r").doesNotContain("FAKE"));
        }
        assertThat(registry.find(RequestMetrics.TIMER).timers())
                .extracting(t -> t.getId().getTag("route")).containsOnly(RequestMetrics.UNMATCHED);
        assertThat(heard).containsExactly(RequestMetrics.UNMATCHED, RequestMetrics.UNMATCHED);
    }

    @Test
    void refusedRequest_recordedWithOutcomeRefusedAndToldToListeners() {
        List<Boolean> refused = new ArrayList<>();
        RequestMetrics metrics = RequestMetrics.builder().meterRegistry(registry)
                .listener((m, route, s, f, r, d) -> refused.add(r)).build();
        metrics.stop(metrics.start(), "GET", "/api/items", 503, null, true);
        assertThat(registry.get(RequestMetrics.TIMER).tags("route", "/api/items", "status", "503").timer()
                .getId().getTag("outcome")).isEqualTo(RequestMetrics.REFUSED);
        assertThat(refused).containsExactly(true);
    }

    @Test
    void builder_setTwiceOrBad_namesField() {
        assertThatThrownBy(() -> RequestMetrics.builder().maxRoutes(10).maxRoutes(20))
                .isInstanceOf(IllegalStateException.class).hasMessage("maxRoutes was already set");
        assertThatThrownBy(() -> RequestMetrics.builder().meterRegistry(registry).meterRegistry(registry))
                .isInstanceOf(IllegalStateException.class).hasMessage("meterRegistry was already set");
        assertThatThrownBy(() -> RequestMetrics.builder().maxRoutes(3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxRoutes must be at least 4 (3 reserved values + 1): 3");
    }

    @Test
    void noRegistry_recordsNothingButStillTellsListeners() {
        List<String> heard = new ArrayList<>();
        RequestMetrics metrics = RequestMetrics.builder().listener((m, route, s, f, r, d) -> heard.add(route)).build();
        metrics.stop(metrics.start(), "GET", "/api/items", 200, null);
        assertThat(heard).containsExactly("/api/items");
        assertThat(metrics.inFlight()).isZero();
    }
}
