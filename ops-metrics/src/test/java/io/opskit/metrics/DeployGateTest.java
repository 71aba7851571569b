package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opskit.testsupport.FakeClock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The deploy gate over the in-process trackers, fed recorded traffic: a minute-by-minute stream of
 * requests with their routes, statuses and durations, as the request filter tells the tracker.
 */
class DeployGateTest {

    static final Slo AVAILABILITY = Slo.availability("api-availability", 0.999);
    static final Slo LATENCY = Slo.latency("api-latency", 0.95, Duration.ofMillis(200));

    private final FakeClock clock = FakeClock.at("2026-12-01T10:00:00Z");
    private final SloTracker tracker = SloTracker.builder().clock(clock).slo(AVAILABILITY).slo(LATENCY).build();

    /**
     * Records {@code minutes} minutes of traffic, {@code perMinute} API requests a minute spread over
     * the minute: every {@code errorEvery}-th answered 500 (0: none), every {@code slowEvery}-th taking
     * 350 ms (0: none), the others 20 ms; plus readiness probes answering 503 (left out by the SLOs).
     */
    private void traffic(int minutes, int perMinute, int errorEvery, int slowEvery) {
        long step = 60_000 / perMinute;
        int n = 0;
        for (int m = 0; m < minutes; m++) {
            for (int i = 0; i < perMinute; i++) {
                n++;
                int status = errorEvery > 0 && n % errorEvery == 0 ? 500 : 200;
                long millis = slowEvery > 0 && n % slowEvery == 0 ? 350 : 20;
                tracker.onRequest("GET", "/api/items/{id}", status, false, false, TimeUnit.MILLISECONDS.toNanos(millis));
                if (i % 10 == 0) {
                    tracker.onRequest("GET", "/health/ready", 503, false, false, TimeUnit.MILLISECONDS.toNanos(2));
                }
                clock.advance(Duration.ofMillis(step));
            }
        }
    }

    private DeployGate gate() {
        return DeployGate.builder().slo(AVAILABILITY).slo(LATENCY).window(Duration.ofMinutes(30)).minEvents(100)
                .clock(clock).build();
    }

    @Test
    void evaluate_healthyTraffic_passesWithFigures() throws Exception {
        // 1 error in 2,000 (0.05 %, half the budget's pace) and 1 slow request in 40 (2.5 %).
        traffic(40, 200, 2000, 40);
        GateReport report = gate().evaluate(GateSource.inProcess(tracker));

        assertThat(report.verdict()).isEqualTo(GateVerdict.PASS);
        GateCheck availability = report.checks().get(0);
        assertThat(availability.verdict()).isEqualTo(GateVerdict.PASS);
        assertThat(availability.events()).isEqualTo(6000.0);
        assertThat(availability.badEvents()).isEqualTo(3.0);
        assertThat(availability.errorRatio()).isEqualTo(0.0005);
        assertThat(availability.burnRate()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(availability.reason()).isEqualTo(
                "error ratio 0.05 % within 0.1 % (burn rate 0.5, at most 1) over 6000 requests in 30m");
        GateCheck latency = report.checks().get(1);
        assertThat(latency.verdict()).isEqualTo(GateVerdict.PASS);
        assertThat(latency.errorRatio()).isEqualTo(0.025);

        JsonNode json = new ObjectMapper().readTree(report.toJson());
        assertThat(json.get("verdict").asText()).isEqualTo("PASS");
        assertThat(json.get("source").asText()).isEqualTo("in-process");
        assertThat(json.get("window").asText()).isEqualTo("30m");
        assertThat(json.get("min_events").asLong()).isEqualTo(100);
        assertThat(json.get("evaluated_at").asText()).isEqualTo(clock.instant().toString());
        assertThat(json.get("checks").get(0).get("slo").asText()).isEqualTo("api-availability");
        assertThat(json.get("checks").get(0).get("bad_events").asDouble()).isEqualTo(3.0);
        assertThat(json.get("checks").get(1).get("max_error_ratio").asDouble()).isEqualTo(0.05);
    }

    @Test
    void evaluate_errorsAfterADeploy_failsOnlyThatSlo() {
        traffic(60, 200, 0, 0);
        // The new version fails 2 % of requests from minute 60: the 30-minute window sees 10 minutes of it.
        traffic(10, 200, 50, 0);
        GateReport report = gate().evaluate(GateSource.inProcess(tracker));

        assertThat(report.verdict()).isEqualTo(GateVerdict.FAIL);
        GateCheck availability = report.checks().get(0);
        assertThat(availability.verdict()).isEqualTo(GateVerdict.FAIL);
        assertThat(availability.events()).isEqualTo(6000.0);
        assertThat(availability.badEvents()).isEqualTo(40.0);
        assertThat(availability.reason()).startsWith("error ratio 0.667 % above 0.1 % (burn rate 6.67, at most 1)");
        assertThat(report.checks().get(1).verdict()).isEqualTo(GateVerdict.PASS);
        assertThat(report.summary()).startsWith("FAIL: api-availability FAIL, error ratio 0.667 %");
    }

    @Test
    void evaluate_higherMaxBurnRate_passesTheSameTraffic() {
        traffic(60, 200, 0, 0);
        traffic(10, 200, 50, 0);
        DeployGate lenient = DeployGate.builder().slo(AVAILABILITY, 10).window(Duration.ofMinutes(30)).build();
        GateReport report = lenient.evaluate(GateSource.inProcess(tracker));
        assertThat(report.verdict()).isEqualTo(GateVerdict.PASS);
        assertThat(report.checks().get(0).maxErrorRatio()).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void evaluate_tooFewRequests_isInconclusiveEvenWithErrors() {
        // 3 minutes at 20 a minute, half failing: 60 requests, fewer than 100. Probes do not count.
        traffic(3, 20, 2, 0);
        GateReport report = gate().evaluate(GateSource.inProcess(tracker));
        assertThat(report.verdict()).isEqualTo(GateVerdict.INCONCLUSIVE);
        assertThat(report.checks().get(0).events()).isEqualTo(60.0);
        assertThat(report.checks().get(0).reason())
                .isEqualTo("60 requests in 30m, fewer than the 100 needed to judge");
    }

    @Test
    void evaluate_failAndInconclusive_isFail() {
        traffic(30, 200, 50, 0);
        Slo unknown = Slo.availability("not-tracked", 0.99);
        DeployGate g = DeployGate.builder().slo(AVAILABILITY).slo(unknown).window(Duration.ofMinutes(30)).build();
        GateReport report = g.evaluate(GateSource.inProcess(tracker));
        assertThat(report.verdict()).isEqualTo(GateVerdict.FAIL);
        assertThat(report.checks().get(1).verdict()).isEqualTo(GateVerdict.INCONCLUSIVE);
        assertThat(report.checks().get(1).reason()).startsWith("no figures: slo 'not-tracked' is not tracked in process");
        assertThat(report.checks().get(1).events()).isNaN();
        assertThat(report.toJson()).contains("\"events\":null");
    }

    @Test
    void evaluate_windowLongerThanTheTrackerKeeps_isInconclusiveNamingIt() {
        traffic(30, 200, 0, 0);
        GateReport report = DeployGate.builder().slo(AVAILABILITY).window(Duration.ofDays(7)).build()
                .evaluate(GateSource.inProcess(tracker));
        assertThat(report.verdict()).isEqualTo(GateVerdict.INCONCLUSIVE);
        assertThat(report.checks().get(0).reason()).isEqualTo("no figures: window 7d is longer than the 3d the "
                + "in-process tracker keeps: use a shorter window or the Prometheus source");
    }

    @Test
    void builder_badValues_throwNamingFieldAndValue() {
        assertThatThrownBy(() -> DeployGate.builder().window(Duration.ofSeconds(90)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("window must be whole minutes: PT1M30S");
        assertThatThrownBy(() -> DeployGate.builder().slo(AVAILABILITY, 0))
                .hasMessage("maxBurnRate must be positive and finite: 0.0");
        assertThatThrownBy(() -> DeployGate.builder().slo(AVAILABILITY).slo(AVAILABILITY))
                .hasMessage("slo was already added: 'api-availability'");
        assertThatThrownBy(() -> DeployGate.builder().slo(AVAILABILITY).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("window is required");
        assertThatThrownBy(() -> DeployGate.builder().window(Duration.ofMinutes(5)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("slo is required");
        assertThatThrownBy(() -> DeployGate.builder().minEvents(1).minEvents(2))
                .isInstanceOf(IllegalStateException.class).hasMessage("minEvents was already set");
    }
}
