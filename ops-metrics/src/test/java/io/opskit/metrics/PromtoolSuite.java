package io.opskit.metrics;

import io.opskit.testsupport.Promtool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@code promtool test rules} file: input series (cumulative values at a fixed interval) and
 * alert expectations at evaluation times, then runs it.
 */
final class PromtoolSuite {

    private final Step interval;
    private final List<String> ruleFiles = new ArrayList<>();
    private final List<String> series = new ArrayList<>();
    private final List<String> alertTests = new ArrayList<>();
    private final List<String> exprTests = new ArrayList<>();

    record Step(long seconds) {
        String text() {
            return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
        }
    }

    PromtoolSuite(java.time.Duration interval) {
        this.interval = new Step(interval.toSeconds());
    }

    PromtoolSuite ruleFile(String name) {
        ruleFiles.add(name);
        return this;
    }

    /** A series with one value per interval from time 0. */
    PromtoolSuite series(String selector, double[] values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v));
        }
        series.add("      - series: '" + selector.replace("'", "''") + "'\n        values: '" + sb + "'\n");
        return this;
    }

    /** Expects exactly these alerts (label maps) named {@code alertname} at {@code minute}. */
    PromtoolSuite expectAlerts(long minute, String alertname, List<Map<String, String>> alerts,
                               List<Map<String, String>> annotations) {
        StringBuilder sb = new StringBuilder("      - eval_time: " + minute + "m\n        alertname: " + alertname
                + "\n        exp_alerts:");
        if (alerts.isEmpty()) {
            sb.append(" []\n");
        } else {
            sb.append('\n');
            for (int i = 0; i < alerts.size(); i++) {
                sb.append("          - exp_labels:\n");
                for (var e : alerts.get(i).entrySet()) {
                    sb.append("              ").append(e.getKey()).append(": '").append(e.getValue().replace("'", "''"))
                            .append("'\n");
                }
                Map<String, String> ann = annotations.get(i);
                if (!ann.isEmpty()) {
                    sb.append("            exp_annotations:\n");
                    for (var e : ann.entrySet()) {
                        sb.append("              ").append(e.getKey()).append(": '")
                                .append(e.getValue().replace("'", "''")).append("'\n");
                    }
                }
            }
        }
        alertTests.add(sb.toString());
        return this;
    }

    /** Expects {@code expr} at {@code minute} to give exactly these samples (labels to value). */
    PromtoolSuite expectExpr(long minute, String expr, Map<String, Double> samples) {
        StringBuilder sb = new StringBuilder("      - expr: '" + expr.replace("'", "''") + "'\n        eval_time: "
                + minute + "m\n        exp_samples:");
        if (samples.isEmpty()) {
            sb.append(" []\n");
        } else {
            sb.append('\n');
            for (var e : samples.entrySet()) {
                sb.append("          - labels: '").append(e.getKey().replace("'", "''")).append("'\n            value: ")
                        .append(e.getValue()).append('\n');
            }
        }
        exprTests.add(sb.toString());
        return this;
    }

    String yaml() {
        StringBuilder y = new StringBuilder("rule_files:\n");
        for (String f : ruleFiles) {
            y.append("  - ").append(f).append('\n');
        }
        y.append("evaluation_interval: 1m\ntests:\n  - interval: ").append(interval.text()).append('\n');
        y.append("    input_series:\n");
        series.forEach(y::append);
        if (!alertTests.isEmpty()) {
            y.append("    alert_rule_test:\n");
            alertTests.forEach(y::append);
        }
        if (!exprTests.isEmpty()) {
            y.append("    promql_expr_test:\n");
            exprTests.forEach(y::append);
        }
        return y.toString();
    }

    /** Writes the suite as {@code dir/name} (rule files are relative to it) and runs it. */
    Promtool.Result run(Path dir, String name) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml(), StandardCharsets.UTF_8);
        return Promtool.run(new byte[0], "test", "rules", file.toString());
    }

    static Map<String, String> labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
