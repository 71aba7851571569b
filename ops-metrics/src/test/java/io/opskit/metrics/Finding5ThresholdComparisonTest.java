package io.opskit.metrics;

import static io.opskit.metrics.AlertPackPromtoolTest.flat;
import static io.opskit.metrics.PromtoolSuite.labels;
import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.Threshold;
import io.opskit.api.notify.OpsEvent;
import io.opskit.testsupport.Promtool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 5 of the monitoring-stack issue for threshold alerts: the in-process evaluator and the
 * exported PromQL compared differently ({@code >} against {@code >=}). A value exactly at a level now
 * alerts in both, and a value between the levels alerts with the warning only, in both.
 */
class Finding5ThresholdComparisonTest {

    @TempDir
    Path dir;

    private static final AlertRule.Builder RULE = AlertRule.builder("PoolPressure")
            .when(Threshold.above(0.70, 0.85)).promql("max by (job) (pool_usage{${selector}})");

    /** The severities firing after two evaluations a minute apart at {@code value}, in process. */
    private static List<String> inProcess(double value) {
        List<OpsEvent> events = new ArrayList<>();
        SloTrackerTest.StepClock clock = new SloTrackerTest.StepClock();
        AtomicReference<Double> v = new AtomicReference<>(value);
        AlertEvaluator alerts = AlertEvaluator.builder().clock(clock).notifier(events::add)
                .rule(RULE.source(v::get).build()).build();
        alerts.evaluate();
        clock.advance(Duration.ofMinutes(1));
        alerts.evaluate();
        return events.stream().filter(e -> e.type().equals(AlertEvaluator.FIRING))
                .map(e -> e.labels().get("severity")).toList();
    }

    private void promtoolFires(double value, List<String> severities) throws Exception {
        MetricsExport export = MetricsExport.builder().job("app").alertRule(RULE.source(() -> value).build()).build();
        Files.writeString(dir.resolve("rules.yml"), export.prometheusRules(), StandardCharsets.UTF_8);
        List<Map<String, String>> alerts = new ArrayList<>();
        List<Map<String, String>> annotations = new ArrayList<>();
        for (String severity : severities) {
            alerts.add(labels("job", "app", "severity", severity));
            annotations.add(Map.of("summary", "PoolPressure >= 0.7 (critical 0.85)"));
        }
        PromtoolSuite suite = new PromtoolSuite(Duration.ofMinutes(1)).ruleFile("rules.yml")
                .series("pool_usage{job=\"app\",instance=\"a:8080\"}", flat(value, 3))
                .expectAlerts(1, "PoolPressure", alerts, annotations);
        Promtool.Result result = suite.run(dir, "levels.yml");
        assertThat(result.exitCode()).as(result.output() + "\n" + export.prometheusRules()).isZero();
    }

    @Test
    void finding5_valueExactlyAtEachLevel_alertsInProcessAndInPromql() throws Exception {
        assertThat(inProcess(0.85)).containsExactlyInAnyOrder("warning", "critical");
        promtoolFires(0.85, List.of("warning", "critical"));
        assertThat(inProcess(0.70)).containsExactly("warning");
        promtoolFires(0.70, List.of("warning"));
        assertThat(inProcess(0.69)).isEmpty();
        promtoolFires(0.69, List.of());
    }
}
