package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.opskit.api.notify.Severity;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SloTrackerTest {

    /** A clock tests move by hand. */
    static final class StepClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final StepClock clock = new StepClock();
    private final Slo availability = Slo.availability("api", 0.999);
    private final Slo latency = Slo.latency("api-latency", 0.95, Duration.ofMillis(200));

    private SloTracker tracker() {
        return SloTracker.builder().clock(clock).slo(availability).slo(latency).build();
    }

    private static void requests(SloTracker t, int count, int status, long millis) {
        for (int i = 0; i < count; i++) {
            t.onRequest("GET", "/", status, false, false, TimeUnit.MILLISECONDS.toNanos(millis));
        }
    }

    @Test
    void errorBudgetRemaining_halfSpent_readsHalf() {
        SloTracker t = tracker();
        requests(t, 9_995, 200, 10);
        requests(t, 5, 503, 10);
        assertThat(t.sli("api")).isCloseTo(0.9995, within(1e-9));
        assertThat(t.errorBudgetRemaining("api")).isCloseTo(0.5, within(1e-9));
        assertThat(t.errorBudgetRemaining("api-latency")).isEqualTo(1.0);
    }

    @Test
    void burning_fastBurnWithEnoughEvents_holdsForPagePairOnly() {
        SloTracker t = tracker();
        // 2 % errors for 10 minutes: burn rate 20x the 0.1 % budget.
        for (int minute = 0; minute < 10; minute++) {
            requests(t, 98, 200, 10);
            requests(t, 2, 500, 10);
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(t.burnRate("api", Duration.ofMinutes(5))).isCloseTo(20.0, within(1e-6));
        assertThat(t.burning("api", BurnRateWindow.DEFAULTS.get(0))).isTrue();
        assertThat(t.burning("api", BurnRateWindow.DEFAULTS.get(1))).isTrue();
        assertThat(t.burning("api", BurnRateWindow.DEFAULTS.get(2))).isTrue();
        // When errors stop, the short window clears the fast alert within 5 minutes.
        for (int minute = 0; minute < 6; minute++) {
            requests(t, 100, 200, 10);
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(t.burning("api", BurnRateWindow.DEFAULTS.get(0))).isFalse();
    }

    @Test
    void burning_fewEvents_guardedEvenAtFullFailure() {
        SloTracker t = tracker();
        requests(t, 3, 500, 10);
        assertThat(t.burnRate("api", Duration.ofHours(1))).isCloseTo(1000, within(1e-6));
        assertThat(t.burning("api", BurnRateWindow.DEFAULTS.get(0))).isFalse();
    }

    @Test
    void window_oldEventsRollOff() {
        SloTracker t = SloTracker.builder().clock(clock).slo(availability.withWindow(Duration.ofHours(2)))
                .burnWindows(List.of(new BurnRateWindow(Duration.ofHours(1), Duration.ofMinutes(5), 0.5,
                        Severity.CRITICAL))).build();
        requests(t, 10, 500, 10);
        clock.advance(Duration.ofHours(3));
        requests(t, 10, 200, 10);
        assertThat(t.sli("api")).isEqualTo(1.0);
        assertThat(t.errorBudgetRemaining("api")).isEqualTo(1.0);
    }

    @Test
    void latencySlo_slowRequestsSpendBudget() {
        SloTracker t = tracker();
        requests(t, 90, 200, 100);
        requests(t, 10, 200, 300);
        assertThat(t.sli("api-latency")).isCloseTo(0.9, within(1e-9));
        assertThat(t.errorBudgetRemaining("api-latency")).isCloseTo(-1.0, within(1e-9));
    }

    @Test
    void bindTo_exposesGauges() {
        SloTracker t = tracker();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        t.bindTo(registry);
        requests(t, 999, 200, 10);
        requests(t, 1, 500, 10);
        assertThat(registry.get(SloTracker.BUDGET_REMAINING).tag("slo", "api").gauge().value())
                .isCloseTo(0.0, within(1e-9));
        assertThat(registry.get(SloTracker.BURN_RATE).tags("slo", "api", "window", "5m").gauge().value())
                .isCloseTo(1.0, within(1e-9));
        assertThat(registry.get(SloTracker.BURN_ALERT).tags("slo", "api", "long_window", "1h").gauge().value())
                .isZero();
        assertThat(registry.get(SloTracker.OBJECTIVE).tag("slo", "api").gauge().value()).isEqualTo(0.999);
    }

    @Test
    void routes_onlyCountedRoutes() {
        SloTracker t = SloTracker.builder().clock(clock)
                .slo(Slo.availability("checkout", 0.99).withRoutes(java.util.Set.of("/api/checkout"))).build();
        t.onRequest("POST", "/api/other", 500, false, false, 1);
        t.onRequest("POST", "/api/checkout", 200, false, false, 1);
        assertThat(t.sli("checkout")).isEqualTo(1.0);
    }

    @Test
    void validation_namesFieldAndValue() {
        assertThatThrownBy(() -> Slo.availability("api", 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("objective must be between 0 and 1 exclusive: 1.0");
        assertThatThrownBy(() -> Slo.availability("API Availability", 0.9))
                .hasMessageContaining("'API Availability'");
        assertThatThrownBy(() -> availability.withWindow(Duration.ofMinutes(30)))
                .hasMessage("window must be whole hours from 1 hour to 90 days: PT30M");
        assertThatThrownBy(() -> Slo.latency("x", 0.9, Duration.ZERO)).hasMessage("threshold must be positive: PT0S");
        assertThatThrownBy(() -> SloTracker.builder().minEvents(-1)).hasMessage("minEvents must not be negative: -1");
        assertThatThrownBy(() -> tracker().sli("nope")).hasMessageContaining("'nope'");
    }

    @Property(tries = 200)
    void errorBudgetRemaining_matchesExactCount(@ForAll @IntRange(min = 0, max = 2000) int good,
                                                @ForAll @IntRange(min = 0, max = 50) int bad,
                                                @ForAll @IntRange(min = 0, max = 60 * 24 * 20) int spreadMinutes) {
        SloTracker t = SloTracker.builder().clock(clock).slo(Slo.availability("p", 0.99)).build();
        // Events spread over less than the 30-day window are all counted, wherever slot edges fall.
        int total = good + bad;
        for (int i = 0; i < total; i++) {
            t.onRequest("GET", "/", i < good ? 200 : 500, false, false, 1);
            if (total > 1) {
                clock.advance(Duration.ofMinutes(spreadMinutes / total));
            }
        }
        double expected = total == 0 ? 1.0 : 1.0 - ((double) bad / total) / 0.01;
        assertThat(t.errorBudgetRemaining("p")).isCloseTo(expected, within(1e-9));
    }
}
