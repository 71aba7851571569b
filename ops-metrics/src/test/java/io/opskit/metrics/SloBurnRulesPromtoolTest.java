package io.opskit.metrics;

import static io.opskit.metrics.PromtoolSuite.labels;
import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.testsupport.Promtool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated SLO rules under {@code promtool test rules}: steady low errors stay silent, a
 * constant 2 % fires all three burn alerts, a step to 2 % pages at the SRE workbook's detection time,
 * and another service's errors never fire this one's alerts.
 */
class SloBurnRulesPromtoolTest {

    static final String JOB = "app";
    static final Slo SLO = Slo.availability("api-availability", 0.999);

    @TempDir
    Path dir;

    static MetricsExport export(String job) {
        return MetricsExport.builder().job(job).slos(SloTracker.builder().slo(SLO).build()).build();
    }

    static String series(String job, int status) {
        String outcome = status >= 500 ? "SERVER_ERROR" : "SUCCESS";
        return "http_server_requests_seconds_count{job=\"" + job + "\",instance=\"10.0.0.1:8080\",method=\"GET\","
                + "route=\"/api/items\",status=\"" + status + "\",outcome=\"" + outcome + "\"}";
    }

    /** Cumulative counters: {@code perStep} requests per step, {@code errorShare(step)} of them 500s. */
    static double[][] counters(int steps, int perStep, java.util.function.IntToDoubleFunction errorShare) {
        double[] ok = new double[steps + 1];
        double[] bad = new double[steps + 1];
        for (int i = 1; i <= steps; i++) {
            long errors = Math.round(perStep * errorShare.applyAsDouble(i));
            ok[i] = ok[i - 1] + perStep - errors;
            bad[i] = bad[i - 1] + errors;
        }
        return new double[][] {ok, bad};
    }

    static Map<String, String> burnLabels(String job, String longWindow, String shortWindow, String severity) {
        return labels("job", job, "slo", SLO.name(), "severity", severity, "long_window", longWindow,
                "short_window", shortWindow);
    }

    static Map<String, String> burnAnnotations(String job, String factor, String longWindow, String shortWindow,
                                               String percent) {
        return labels("summary", "SLO " + SLO.name() + " of " + job + " is burning its error budget at " + factor
                        + "x or more over " + longWindow + " and " + shortWindow,
                "description", "At this pace " + percent + " % of the 30d error budget is spent within "
                        + longWindow + ".");
    }

    static final Map<String, String> PAGE_1H = burnLabels(JOB, "1h", "5m", "critical");
    static final Map<String, String> PAGE_6H = burnLabels(JOB, "6h", "30m", "critical");
    static final Map<String, String> TICKET_3D = burnLabels(JOB, "3d", "6h", "warning");
    static final Map<String, String> ANN_1H = burnAnnotations(JOB, "14.4", "1h", "5m", "2");
    static final Map<String, String> ANN_6H = burnAnnotations(JOB, "6", "6h", "30m", "5");
    static final Map<String, String> ANN_3D = burnAnnotations(JOB, "1", "3d", "6h", "10");

    private PromtoolSuite suite(String... jobs) throws Exception {
        PromtoolSuite suite = new PromtoolSuite(Duration.ofMinutes(1));
        for (String job : jobs) {
            String file = "rules-" + job + ".yml";
            Files.writeString(dir.resolve(file), export(job).prometheusRules(), StandardCharsets.UTF_8);
            suite.ruleFile(file);
        }
        return suite;
    }

    private static void assertPasses(Promtool.Result result, PromtoolSuite suite) {
        assertThat(result.exitCode()).as(result.output() + "\n--- test file ---\n" + suite.yaml()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void burnAlerts_steadyLowErrors_staySilent() throws Exception {
        // 0.05 % errors (half the budget's pace) for 4 hours.
        double[][] c = counters(240, 2000, i -> 0.0005);
        PromtoolSuite suite = suite(JOB).series(series(JOB, 200), c[0]).series(series(JOB, 500), c[1]);
        for (long m : new long[] {10, 60, 120, 240}) {
            suite.expectAlerts(m, "SloErrorBudgetBurn", List.of(), List.of());
        }
        suite.expectExpr(60, "opskit:slo_error_ratio:rate1h", Map.of(
                "opskit:slo_error_ratio:rate1h{job=\"app\",slo=\"api-availability\"}", 0.0005));
        assertPasses(suite.run(dir, "steady.yml"), suite);
    }

    @Test
    void burnAlerts_constantTwoPercent_allFire() throws Exception {
        double[][] c = counters(120, 1000, i -> 0.02);
        PromtoolSuite suite = suite(JOB).series(series(JOB, 200), c[0]).series(series(JOB, 500), c[1]);
        suite.expectAlerts(60, "SloErrorBudgetBurn", List.of(PAGE_1H, PAGE_6H, TICKET_3D),
                List.of(ANN_1H, ANN_6H, ANN_3D));
        suite.expectAlerts(120, "SloErrorBudgetBurn", List.of(PAGE_1H, PAGE_6H, TICKET_3D),
                List.of(ANN_1H, ANN_6H, ANN_3D));
        assertPasses(suite.run(dir, "constant.yml"), suite);
    }

    @Test
    void pageAlert_stepToTwoPercent_firesAtWorkbookDetectionTime() throws Exception {
        // Clean for 6 hours, then 2 % errors: the workbook gives 0.72 h = 43.2 min to the 1h/5m page
        // (2 % of the budget in 1 h at a burn rate of 20). With samples every minute a 1 h rate covers
        // 59 intervals, so Prometheus pages at the 43rd minute; ±1 evaluation of 43.2.
        int step = 360;
        double[][] c = counters(step + 120, 1000, i -> i > step ? 0.02 : 0.0);
        PromtoolSuite suite = suite(JOB).series(series(JOB, 200), c[0]).series(series(JOB, 500), c[1]);
        // The 3d/6h ticket fires first (the clean 6 hours are all the 3 days hold: about 19 min); the
        // 6h/30m page needs 30 % of 6 h at 2 %, 108 min.
        suite.expectAlerts(step + 42, "SloErrorBudgetBurn", List.of(TICKET_3D), List.of(ANN_3D));
        suite.expectAlerts(step + 44, "SloErrorBudgetBurn", List.of(PAGE_1H, TICKET_3D), List.of(ANN_1H, ANN_3D));
        suite.expectAlerts(step + 106, "SloErrorBudgetBurn", List.of(PAGE_1H, TICKET_3D), List.of(ANN_1H, ANN_3D));
        suite.expectAlerts(step + 110, "SloErrorBudgetBurn", List.of(PAGE_1H, PAGE_6H, TICKET_3D),
                List.of(ANN_1H, ANN_6H, ANN_3D));
        assertPasses(suite.run(dir, "step.yml"), suite);
    }

    @Test
    void burnAlerts_anotherJobFailing_doNotFireThisJobs() throws Exception {
        // Finding 1: app at 0 % errors, another Micrometer service at 10 % with the same SLO name.
        double[][] app = counters(120, 1000, i -> 0.0);
        double[][] other = counters(120, 1000, i -> 0.10);
        PromtoolSuite suite = suite(JOB, "other")
                .series(series(JOB, 200), app[0]).series(series(JOB, 500), app[1])
                .series(series("other", 200), other[0]).series(series("other", 500), other[1]);
        suite.expectAlerts(60, "SloErrorBudgetBurn", List.of(
                        burnLabels("other", "1h", "5m", "critical"), burnLabels("other", "6h", "30m", "critical"),
                        burnLabels("other", "3d", "6h", "warning")),
                List.of(burnAnnotations("other", "14.4", "1h", "5m", "2"),
                        burnAnnotations("other", "6", "6h", "30m", "5"),
                        burnAnnotations("other", "1", "3d", "6h", "10")));
        // Recorded separately per job: two services with the same SLO name do not collide.
        suite.expectExpr(60, "round(opskit:slo_error_ratio:rate5m * 1000)", Map.of(
                "{job=\"app\",slo=\"api-availability\"}", 0.0,
                "{job=\"other\",slo=\"api-availability\"}", 100.0));
        assertPasses(suite.run(dir, "scoping.yml"), suite);
    }

    @Test
    void burnAlerts_healthAndMetricsScrapesOnly_neverSatisfyTheEventGuard() throws Exception {
        // Finding 2: scrapes and failing readiness probes (maintenance) are no user traffic.
        double[][] probes = counters(60, 4, i -> 1.0);
        double[][] scrapes = counters(60, 4, i -> 0.0);
        String ready = series(JOB, 503).replace("/api/items", "/health/ready");
        String metrics = series(JOB, 200).replace("/api/items", "/metrics");
        PromtoolSuite suite = suite(JOB).series(ready, probes[1]).series(metrics, scrapes[0]);
        suite.expectAlerts(30, "SloErrorBudgetBurn", List.of(), List.of());
        suite.expectAlerts(60, "SloErrorBudgetBurn", List.of(), List.of());
        assertPasses(suite.run(dir, "probes.yml"), suite);
    }

    @Test
    void prometheusRules_generated_passPromtoolCheckRules() throws Exception {
        Files.writeString(dir.resolve("rules.yml"), export(JOB).prometheusRules(), StandardCharsets.UTF_8);
        Promtool.Result result = Promtool.run(new byte[0], "check", "rules", dir.resolve("rules.yml").toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: 9 rules found");
    }
}
