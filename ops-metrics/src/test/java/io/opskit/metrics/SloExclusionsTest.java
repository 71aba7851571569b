package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.opskit.api.notify.Severity;
import io.opskit.testsupport.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Finding 2 and 5: what an SLO counts, and burn factors that follow the SLO window. */
class SloExclusionsTest {

    private final FakeClock clock = FakeClock.at("2026-01-01T00:00:00Z");

    @Test
    void finding2_probesScrapesAndAdminRoutes_leftOutByDefault() {
        Slo slo = Slo.availability("api", 0.999);
        assertThat(slo.counts("/health")).isFalse();
        assertThat(slo.counts("/health/ready")).isFalse();
        assertThat(slo.counts("/metrics")).isFalse();
        assertThat(slo.counts("/admin/maintenance")).isFalse();
        assertThat(slo.counts("/administrators")).isTrue();
        assertThat(slo.counts("/api/items")).isTrue();
        assertThat(slo.withExcludedRoutes(Set.of()).counts("/health")).isTrue();
    }

    @Test
    void finding2_maintenanceReadiness503sAndScrapes_neitherPageNorSatisfyTheGuard() {
        SloTracker t = SloTracker.builder().clock(clock).slo(Slo.availability("api", 0.999)).build();
        for (int minute = 0; minute < 60; minute++) {
            for (int i = 0; i < 10; i++) {
                t.onRequest("GET", "/health/ready", 503, false, false, 1);
                t.onRequest("GET", "/metrics", 200, false, false, 1);
            }
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(t.sli("api")).isEqualTo(1.0);
        assertThat(BurnRateWindow.DEFAULTS).allSatisfy(w -> assertThat(t.burning("api", w)).isFalse());
    }

    @Test
    void refusedRequests_leftOutUnlessCountedAsFailures() {
        SloTracker t = SloTracker.builder().clock(clock).slo(Slo.availability("api", 0.99))
                .slo(Slo.availability("strict", 0.99).withRefusalsAsFailures(true)).build();
        t.onRequest("GET", "/api/items", 200, false, false, 1);
        t.onRequest("GET", "/api/items", 503, false, true, 1);
        assertThat(t.sli("api")).isEqualTo(1.0);
        assertThat(t.sli("strict")).isEqualTo(0.5);
    }

    @Test
    void finding5_burnFactors_followTheSloWindow() {
        BurnRateWindow page = BurnRateWindow.DEFAULTS.get(0);
        assertThat(page.factor(Duration.ofDays(30))).isCloseTo(14.4, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(page.factor(Duration.ofDays(7))).isCloseTo(3.36, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(BurnRateWindow.DEFAULTS.get(1).factor(Duration.ofDays(30)))
                .isCloseTo(6, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(BurnRateWindow.DEFAULTS.get(2).factor(Duration.ofDays(30)))
                .isCloseTo(1, org.assertj.core.data.Offset.offset(1e-9));
        String rules = MetricsExport.builder().job("app").slos(SloTracker.builder()
                .slo(Slo.availability("weekly", 0.999).withWindow(Duration.ofDays(7))).build()).build().prometheusRules();
        // 3.36 x 0.1 % budget.
        assertThat(rules).contains("> 0.00336 and on (job, slo)");
    }

    @Test
    void finding5_windowCoversExactlyItsSpan_notOneSlotLess() {
        SloTracker t = SloTracker.builder().clock(clock).slo(Slo.availability("api", 0.999)).build();
        // One request a second: bad for the first 5 minutes, good after.
        for (int second = 0; second < 570; second++) {
            t.onRequest("GET", "/api", second < 300 ? 500 : 200, false, false, 1);
            clock.advance(Duration.ofSeconds(1));
        }
        // At 9:30 the last 5 minutes hold 29 bad and 270 good requests: 0.097. Counting only the
        // whole minute slots (N-1 minutes and the current part) would read 0.
        assertThat(t.errorRatio("api", Duration.ofMinutes(5))).isCloseTo(29.0 / 299, within(0.005));
    }

    @Test
    void budgetSpent_outOfRange_namesFieldAndValue() {
        assertThatThrownBy(() -> new BurnRateWindow(Duration.ofHours(1), Duration.ofMinutes(5), 0, Severity.CRITICAL))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("budgetSpent must be above 0 and at most 1: 0.0");
        assertThatThrownBy(() -> SloTracker.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("slo is required: add one with slo(...)");
    }
}
