package io.opskit.metrics;

import io.opskit.api.Threshold;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AlertEvaluatorTest {

    private final SloTrackerTest.StepClock clock = new SloTrackerTest.StepClock();
    private final List<OpsEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicReference<Double> poolUsage = new AtomicReference<>(0.5);

    private AlertRule poolRule(Duration forDuration) {
        return AlertRule.builder("DbPoolPressure")
                .source(poolUsage::get)
                .when(Threshold.above(0.85, 0.85))
                .forDuration(forDuration)
                .summary("DB pool usage above 85 %")
                .label("team", "platform")
                .build();
    }

    private List<String> types() {
        return events.stream().map(OpsEvent::type).collect(Collectors.toList());
    }

    @Test
    void evaluate_breachHeldForDuration_pendingThenFiringThenResolved() {
        AlertEvaluator alerts = AlertEvaluator.builder().clock(clock).notifier(events::add)
                .rule(poolRule(Duration.ofMinutes(5))).build();
        alerts.evaluate();
        assertThat(alerts.state("DbPoolPressure")).isEqualTo(AlertState.INACTIVE);

        poolUsage.set(0.9);
        alerts.evaluate();
        assertThat(alerts.state("DbPoolPressure")).isEqualTo(AlertState.PENDING);
        clock.advance(Duration.ofMinutes(4));
        alerts.evaluate();
        assertThat(alerts.state("DbPoolPressure")).isEqualTo(AlertState.PENDING);
        clock.advance(Duration.ofMinutes(1));
        alerts.evaluate();
        assertThat(alerts.state("DbPoolPressure")).isEqualTo(AlertState.FIRING);
        alerts.evaluate();

        poolUsage.set(0.4);
        alerts.evaluate();
        assertThat(alerts.state("DbPoolPressure")).isEqualTo(AlertState.INACTIVE);
        assertThat(types()).containsExactly(AlertEvaluator.PENDING, AlertEvaluator.FIRING, AlertEvaluator.RESOLVED);
        OpsEvent firing = events.get(1);
        assertThat(firing.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(firing.source()).isEqualTo("alert:DbPoolPressure");
        assertThat(firing.labels()).containsEntry("alertname", "DbPoolPressure").containsEntry("severity", "critical")
                .containsEntry("team", "platform");
        assertThat(firing.summary()).contains("DB pool usage above 85 %").contains("0.9");
        assertThat(events.get(2).severity()).isEqualTo(Severity.INFO);
    }

    @Test
    void evaluate_thresholdWithTwoLevels_warningThenCriticalEachAfterItsForThenBothResolve() {
        AlertEvaluator alerts = AlertEvaluator.builder().clock(clock).notifier(events::add)
                .rule(AlertRule.builder("DbPoolPressure").source(poolUsage::get).when(Threshold.above(0.70, 0.85))
                        .forDuration(Duration.ofMinutes(5)).build())
                .build();
        poolUsage.set(0.75);
        alerts.evaluate();
        clock.advance(Duration.ofMinutes(5));
        alerts.evaluate();
        assertThat(alerts.state("DbPoolPressure", Threshold.Level.WARNING)).isEqualTo(AlertState.FIRING);
        assertThat(alerts.state("DbPoolPressure", Threshold.Level.CRITICAL)).isEqualTo(AlertState.INACTIVE);

        poolUsage.set(0.90);
        alerts.evaluate();
        assertThat(alerts.state("DbPoolPressure", Threshold.Level.CRITICAL)).isEqualTo(AlertState.PENDING);
        clock.advance(Duration.ofMinutes(5));
        alerts.evaluate();
        assertThat(alerts.state("DbPoolPressure")).isEqualTo(AlertState.FIRING);
        poolUsage.set(0.10);
        alerts.evaluate();
        assertThat(alerts.state("DbPoolPressure")).isEqualTo(AlertState.INACTIVE);

        assertThat(events).extracting(e -> e.type() + " " + e.labels().get("severity") + " " + e.severity())
                .containsExactly("alert.pending warning INFO", "alert.firing warning WARNING",
                        "alert.pending critical INFO", "alert.firing critical CRITICAL",
                        "alert.resolved warning INFO", "alert.resolved critical INFO");
        assertThat(events.get(3).summary()).contains("(value 0.9 >= 0.85)");
        assertThatThrownBy(() -> alerts.state("DbPoolPressure", Threshold.Level.OK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("alert rule 'DbPoolPressure' does not alert on level OK");
    }

    @Test
    void evaluate_thresholdBelow_lowValuesAlertAndNaNIsNoData() {
        AtomicReference<Double> freeDisk = new AtomicReference<>(0.5);
        AlertEvaluator alerts = AlertEvaluator.builder().clock(clock).notifier(events::add)
                .rule(AlertRule.builder("LowDisk").source(freeDisk::get).when(Threshold.below(0.15, 0.10)).build())
                .build();
        freeDisk.set(0.12);
        alerts.evaluate();
        assertThat(alerts.state("LowDisk", Threshold.Level.WARNING)).isEqualTo(AlertState.FIRING);
        assertThat(alerts.state("LowDisk", Threshold.Level.CRITICAL)).isEqualTo(AlertState.INACTIVE);
        freeDisk.set(Double.NaN);
        alerts.evaluate();
        assertThat(alerts.state("LowDisk")).as("NaN is no data, as PromQL compares it false")
                .isEqualTo(AlertState.INACTIVE);
    }

    @Test
    void evaluate_breachClearsWhilePending_neverFires() {
        AlertEvaluator alerts = AlertEvaluator.builder().clock(clock).notifier(events::add)
                .rule(poolRule(Duration.ofMinutes(5))).build();
        poolUsage.set(0.9);
        alerts.evaluate();
        clock.advance(Duration.ofMinutes(2));
        poolUsage.set(0.5);
        alerts.evaluate();
        clock.advance(Duration.ofMinutes(10));
        alerts.evaluate();
        assertThat(types()).containsExactly(AlertEvaluator.PENDING);
        assertThat(alerts.state("DbPoolPressure")).isEqualTo(AlertState.INACTIVE);
    }

    @Test
    void evaluate_zeroFor_firesAtOnce() {
        AlertEvaluator alerts = AlertEvaluator.builder().clock(clock).notifier(events::add)
                .rule(poolRule(Duration.ZERO)).build();
        poolUsage.set(0.99);
        alerts.evaluate();
        assertThat(alerts.state("DbPoolPressure")).isEqualTo(AlertState.FIRING);
        assertThat(types()).containsExactly(AlertEvaluator.PENDING, AlertEvaluator.FIRING);
    }

    @Test
    void evaluate_throwingSourceAndNotifier_otherRulesAndNotifiersCarryOn() {
        AlertRule broken = AlertRule.builder("Broken").source(() -> {
            throw new IllegalStateException("db down: password=hunter2");
        }).when(Threshold.above(0, 0)).build();
        try (LogCapture logs = new LogCapture()) {
            AlertEvaluator alerts = AlertEvaluator.builder().clock(clock)
                    .notifier(e -> {
                        throw new IllegalStateException("smtp down");
                    })
                    .notifier(events::add)
                    .rule(broken).rule(poolRule(Duration.ZERO)).build();
            poolUsage.set(0.99);
            alerts.evaluate();
            alerts.evaluate();
            assertThat(alerts.state("Broken")).isEqualTo(AlertState.INACTIVE);
            assertThat(types()).containsExactly(AlertEvaluator.PENDING, AlertEvaluator.FIRING);
            assertThat(logs.lines()).filteredOn(l -> l.contains("value source failed")).hasSize(1);
            assertThat(logs.lines()).filteredOn(l -> l.contains("notifier")).hasSize(1);
            assertThat(logs.lines()).noneMatch(l -> l.contains("hunter2"));
        }
    }

    @Test
    void builder_invalid_namesFieldAndValue() {
        assertThatThrownBy(() -> AlertRule.builder("pool usage"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name must be letters, digits and '_', starting with a letter: 'pool usage'");
        assertThatThrownBy(() -> AlertRule.builder("X").forDuration(Duration.ofSeconds(-1)))
                .hasMessage("forDuration must not be negative: PT-1S");
        assertThatThrownBy(() -> AlertRule.builder("X").when(null))
                .isInstanceOf(NullPointerException.class).hasMessage("threshold");
        assertThatThrownBy(() -> AlertRule.builder("X").source(() -> 1).build())
                .hasMessage("condition must be set with when(...): rule 'X'");
        assertThatThrownBy(() -> AlertEvaluator.builder().rule(poolRule(Duration.ZERO)).rule(poolRule(Duration.ZERO)))
                .hasMessage("alert rule name must be unique: 'DbPoolPressure'");
    }

    @Test
    void loggingNotifier_firingEvent_warnsRedacted() {
        try (LogCapture logs = new LogCapture()) {
            LoggingNotifier.create().notify(new OpsEvent("alert:X", AlertEvaluator.FIRING, Severity.CRITICAL,
                    "upstream https://u:hunter2@api.example.com down", java.util.Map.of(), clock.instant()));
            assertThat(logs.lines()).singleElement().asString().startsWith("WARN").contains("alert.firing")
                    .doesNotContain("hunter2");
        }
    }

    @Test
    void loggingNotifier_dsnLabelWithPassword_regressionSecretReachedLogTwice() {
        try (LogCapture logs = new LogCapture()) {
            LoggingNotifier.create().notify(new OpsEvent("alert:X", AlertEvaluator.FIRING, Severity.CRITICAL,
                    "pool pressure", java.util.Map.of("dsn", "postgres://app:SECRET@db/x", "password", "hunter2"),
                    clock.instant()));
            assertThat(logs.lines()).singleElement().asString().doesNotContain("SECRET").doesNotContain("hunter2")
                    .contains("postgres://app:[REDACTED]@db/x", "password=[REDACTED]");
        }
    }

    @Test
    void loggingNotifier_healthStatusChanged_notRepeatedUnlessAskedTo() {
        OpsEvent change = new OpsEvent("health:db", "health.status_changed", Severity.CRITICAL,
                "health check 'db' changed from UP to DOWN", java.util.Map.of("check", "db"), clock.instant());
        try (LogCapture logs = new LogCapture()) {
            LoggingNotifier.create().notify(change);
            assertThat(logs.lines()).isEmpty();
            LoggingNotifier.logEverything().notify(change);
            assertThat(logs.lines()).singleElement().asString().startsWith("WARN").contains("health.status_changed");
        }
    }

    @net.jqwik.api.Property(tries = 300)
    void evaluate_anySequence_transitionsFollowStateMachine(
            @net.jqwik.api.ForAll @net.jqwik.api.constraints.Size(max = 60) List<Boolean> breaches,
            @net.jqwik.api.ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 10) int forMinutes) {
        SloTrackerTest.StepClock stepClock = new SloTrackerTest.StepClock();
        List<OpsEvent> seen = new java.util.ArrayList<>();
        AtomicReference<Double> value = new AtomicReference<>(0.0);
        AlertEvaluator alerts = AlertEvaluator.builder().clock(stepClock).notifier(seen::add)
                .rule(AlertRule.builder("R").source(value::get).when(Threshold.above(1, 1))
                        .forDuration(Duration.ofMinutes(forMinutes)).build())
                .build();
        for (boolean breach : breaches) {
            value.set(breach ? 1.0 : 0.0);
            alerts.evaluate();
            stepClock.advance(Duration.ofMinutes(1));
        }
        java.time.Instant pendingAt = null;
        String last = AlertEvaluator.RESOLVED;
        for (OpsEvent e : seen) {
            switch (e.type()) {
                case AlertEvaluator.PENDING -> {
                    assertThat(last).isIn(AlertEvaluator.RESOLVED, AlertEvaluator.PENDING);
                    pendingAt = e.at();
                }
                case AlertEvaluator.FIRING -> {
                    assertThat(last).isEqualTo(AlertEvaluator.PENDING);
                    // Fires only after the condition held for the whole for duration.
                    assertThat(Duration.between(pendingAt, e.at())).isGreaterThanOrEqualTo(
                            Duration.ofMinutes(forMinutes));
                }
                case AlertEvaluator.RESOLVED -> assertThat(last).isEqualTo(AlertEvaluator.FIRING);
                default -> throw new AssertionError(e.type());
            }
            last = e.type();
        }
        assertThat(alerts.state("R") == AlertState.FIRING).isEqualTo(AlertEvaluator.FIRING.equals(last));
    }

    @Test
    void finding6_forDurationOfLongMaxSeconds_neitherFiresNorBreaksTheRulesAfterIt() {
        List<OpsEvent> events = new CopyOnWriteArrayList<>();
        AlertRule forever = AlertRule.builder("Forever").source(() -> 1).when(Threshold.above(0.5, 0.5))
                .forDuration(Duration.ofSeconds(Long.MAX_VALUE)).build();
        AtomicReference<Double> value = new AtomicReference<>(1.0);
        AlertRule next = AlertRule.builder("Next").source(value::get).when(Threshold.above(0.5, 0.5)).build();
        AlertEvaluator alerts = AlertEvaluator.builder().clock(clock).notifier(events::add)
                .rule(forever).rule(next).build();
        alerts.evaluate();
        clock.advance(Duration.ofDays(365));
        alerts.evaluate();
        assertThat(alerts.state("Forever")).isEqualTo(AlertState.PENDING);
        assertThat(alerts.state("Next")).isEqualTo(AlertState.FIRING);
        value.set(0.0);
        alerts.evaluate();
        // Before the fix the overflow threw inside the loop and "Next" stayed FIRING for good.
        assertThat(alerts.state("Next")).isEqualTo(AlertState.INACTIVE);
        assertThat(events).extracting(OpsEvent::type).contains(AlertEvaluator.RESOLVED);
    }

    /** A maintenance window from 00:10 to 00:40 that silences the named rules, as ops-jobs' does. */
    private io.opskit.api.notify.AlertSilence window(String... rules) {
        java.time.Instant opens = java.time.Instant.parse("2026-01-01T00:10:00Z");
        java.time.Instant closes = java.time.Instant.parse("2026-01-01T00:40:00Z");
        List<String> silenced = List.of(rules);
        return (rule, at) -> silenced.contains(rule) && !at.isBefore(opens) && at.isBefore(closes)
                ? java.util.Optional.of("maintenance window upgrade") : java.util.Optional.empty();
    }

    /** Evaluates once a minute up to (not including) the minute {@code untilMinute} after 00:00. */
    private void evaluateEveryMinuteUntil(AlertEvaluator alerts, int untilMinute) {
        java.time.Instant until = java.time.Instant.parse("2026-01-01T00:00:00Z").plus(Duration.ofMinutes(untilMinute));
        while (clock.instant().isBefore(until)) {
            alerts.evaluate();
            clock.advance(Duration.ofMinutes(1));
        }
    }

    @Test
    void evaluate_firesDuringSilence_notifiedOnceWhenSilenceEnds() {
        AtomicReference<Double> errors = new AtomicReference<>(0.0);
        AlertEvaluator alerts = AlertEvaluator.builder().clock(clock).notifier(events::add)
                .silence(window("DbPoolPressure"))
                .rule(poolRule(Duration.ofMinutes(5)))
                .rule(AlertRule.builder("ErrorRate").source(errors::get).when(Threshold.above(0.05, 0.05)).build())
                .build();
        evaluateEveryMinuteUntil(alerts, 12);
        poolUsage.set(0.9);
        errors.set(0.1);
        evaluateEveryMinuteUntil(alerts, 40);

        // The silenced rule went pending and fired during the window: its state moved, nothing was sent.
        assertThat(alerts.state("DbPoolPressure")).isEqualTo(AlertState.FIRING);
        assertThat(alerts.silencedBy("DbPoolPressure")).contains("maintenance window upgrade");
        assertThat(events).allMatch(e -> e.source().equals("alert:ErrorRate"));
        // A rule the window does not name is notified as usual.
        assertThat(types()).containsExactly(AlertEvaluator.PENDING, AlertEvaluator.FIRING);

        evaluateEveryMinuteUntil(alerts, 45);

        List<OpsEvent> pool = events.stream().filter(e -> e.source().equals("alert:DbPoolPressure")).toList();
        assertThat(pool).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(AlertEvaluator.FIRING);
            assertThat(e.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(e.at()).isEqualTo(java.time.Instant.parse("2026-01-01T00:40:00Z"));
            assertThat(e.summary()).endsWith("; held back by maintenance window upgrade");
            assertThat(e.labels()).containsEntry("alertname", "DbPoolPressure");
        });
        assertThat(alerts.silencedBy("DbPoolPressure")).isEmpty();
    }

    @Test
    void evaluate_firingBeforeSilenceResolvedDuringIt_resolvedWhenSilenceEnds() {
        AlertEvaluator alerts = AlertEvaluator.builder().clock(clock).notifier(events::add)
                .silence(window("DbPoolPressure")).rule(poolRule(Duration.ZERO)).build();
        poolUsage.set(0.9);
        evaluateEveryMinuteUntil(alerts, 15);
        poolUsage.set(0.4);
        evaluateEveryMinuteUntil(alerts, 20);
        poolUsage.set(0.95);
        evaluateEveryMinuteUntil(alerts, 25);
        poolUsage.set(0.3);
        evaluateEveryMinuteUntil(alerts, 40);
        assertThat(types()).containsExactly(AlertEvaluator.PENDING, AlertEvaluator.FIRING);

        evaluateEveryMinuteUntil(alerts, 45);

        assertThat(types()).containsExactly(AlertEvaluator.PENDING, AlertEvaluator.FIRING, AlertEvaluator.RESOLVED);
        assertThat(events.get(2).at()).isEqualTo(java.time.Instant.parse("2026-01-01T00:40:00Z"));
        assertThat(events.get(2).summary()).endsWith("; held back by maintenance window upgrade");
    }

    @Test
    void evaluate_firesAndResolvesWithinSilence_nothingSentAfterIt() {
        AlertEvaluator alerts = AlertEvaluator.builder().clock(clock).notifier(events::add)
                .silence(window("DbPoolPressure")).rule(poolRule(Duration.ZERO)).build();
        evaluateEveryMinuteUntil(alerts, 20);
        poolUsage.set(0.9);
        evaluateEveryMinuteUntil(alerts, 30);
        poolUsage.set(0.4);
        evaluateEveryMinuteUntil(alerts, 60);

        assertThat(events).isEmpty();
        assertThat(alerts.state("DbPoolPressure")).isEqualTo(AlertState.INACTIVE);
    }

    @Test
    void evaluate_pendingInSilenceFiresAfterIt_notifiedAsUsual() {
        AlertEvaluator alerts = AlertEvaluator.builder().clock(clock).notifier(events::add)
                .silence(window("DbPoolPressure")).rule(poolRule(Duration.ofMinutes(5))).build();
        evaluateEveryMinuteUntil(alerts, 38);
        poolUsage.set(0.9);
        evaluateEveryMinuteUntil(alerts, 50);

        // The pending transition fell in the window and is not replayed; the firing one did not.
        assertThat(types()).containsExactly(AlertEvaluator.FIRING);
        assertThat(events.get(0).at()).isEqualTo(java.time.Instant.parse("2026-01-01T00:43:00Z"));
        assertThat(events.get(0).summary()).doesNotContain("held back");
    }

    @Test
    void evaluate_throwingSilence_rulesNotifiedAsUsual() {
        io.opskit.api.notify.AlertSilence broken = (rule, at) -> {
            throw new IllegalStateException("window store unreachable");
        };
        AlertEvaluator alerts = AlertEvaluator.builder().clock(clock).notifier(events::add)
                .silence(broken).rule(poolRule(Duration.ZERO)).build();
        poolUsage.set(0.9);
        alerts.evaluate();
        alerts.evaluate();

        assertThat(types()).containsExactly(AlertEvaluator.PENDING, AlertEvaluator.FIRING);
        assertThat(alerts.silencedBy("DbPoolPressure")).isEmpty();
    }

    @net.jqwik.api.Property(tries = 300)
    void evaluate_anySequenceWithSilences_receiversHearTheStateOnceUnsilenced(
            @net.jqwik.api.ForAll @net.jqwik.api.constraints.Size(max = 60) List<Boolean> breaches,
            @net.jqwik.api.ForAll @net.jqwik.api.constraints.Size(max = 60) List<Boolean> silencedAt,
            @net.jqwik.api.ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 5) int forMinutes) {
        SloTrackerTest.StepClock stepClock = new SloTrackerTest.StepClock();
        List<OpsEvent> seen = new java.util.ArrayList<>();
        AtomicReference<Double> value = new AtomicReference<>(0.0);
        java.util.concurrent.atomic.AtomicBoolean silenced = new java.util.concurrent.atomic.AtomicBoolean();
        AlertEvaluator alerts = AlertEvaluator.builder().clock(stepClock).notifier(seen::add)
                .silence((rule, at) -> silenced.get() ? java.util.Optional.of("test") : java.util.Optional.empty())
                .rule(AlertRule.builder("R").source(value::get).when(Threshold.above(1, 1))
                        .forDuration(Duration.ofMinutes(forMinutes)).build())
                .build();
        String heard = AlertEvaluator.RESOLVED;
        for (int i = 0; i < breaches.size(); i++) {
            value.set(breaches.get(i) ? 1.0 : 0.0);
            silenced.set(i < silencedAt.size() && silencedAt.get(i));
            int before = seen.size();
            alerts.evaluate();
            List<OpsEvent> now = seen.subList(before, seen.size());
            if (silenced.get()) {
                assertThat(now).as("sent while silenced").isEmpty();
            }
            for (OpsEvent e : now) {
                if (!e.type().equals(AlertEvaluator.PENDING)) {
                    // Firing and resolved alternate: receivers never hear the same state twice.
                    assertThat(e.type()).isNotEqualTo(heard);
                    heard = e.type();
                }
            }
            if (!silenced.get()) {
                // Unsilenced, receivers' view matches the rule's state after every evaluation.
                assertThat(AlertEvaluator.FIRING.equals(heard)).isEqualTo(alerts.state("R") == AlertState.FIRING);
            }
            stepClock.advance(Duration.ofMinutes(1));
        }
    }
}
