package io.opskit.metrics;

import static io.opskit.metrics.PromtoolSuite.labels;
import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.Usd;
import io.opskit.api.notify.Severity;
import io.opskit.testsupport.Promtool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every rule of the manuals' alert pack under {@code promtool test rules}: it fires once its value has
 * been past the threshold for its {@code for} (not one evaluation earlier), with its labels and
 * rendered annotations, and stays silent at or below the threshold, for another job, and for another
 * value of a selector label. Series come at one-minute steps, as the rules are evaluated.
 */
class AlertPackPromtoolTest {

    static final String APP = "job=\"app\",env=\"prod\"";
    static final String OTHER = "job=\"other\",env=\"prod\"";
    static final String STAGING = "job=\"app\",env=\"staging\"";
    static final String RUNBOOKS = "https://runbooks.example.com/app/";

    static final AlertPack PACK = AlertPack.builder()
            .serviceDown(Duration.ofMinutes(1), Severity.CRITICAL)
            .processCpu(0.80, Duration.ofMinutes(5), Severity.WARNING)
            .systemCpu(0.80, Duration.ofMinutes(5), Severity.WARNING)
            .heapUsage(0.85, Duration.ofMinutes(5), Severity.WARNING)
            .diskFree(0.10, Duration.ofMinutes(5), Severity.CRITICAL)
            .serverErrorRatio(0.01, Duration.ofMinutes(5), Severity.WARNING)
            .serverErrorRatio(0.05, Duration.ofMinutes(2), Severity.CRITICAL)
            .latency(0.95, Duration.ofMillis(500), Duration.ofMinutes(5), Severity.WARNING)
            .latency(0.99, Duration.ofSeconds(2), Duration.ofMinutes(5), Severity.WARNING)
            .dbPoolUsage(0.85, Duration.ofMinutes(5), Severity.WARNING)
            .aiLatency(0.95, Duration.ofSeconds(15), Duration.ofMinutes(5), Severity.WARNING)
            .aiDailyCost(Usd.ofDollars(100), Duration.ofMinutes(10), Severity.WARNING)
            .aiRateLimited(10, Duration.ofMinutes(2), Severity.WARNING)
            .aiErrorRatio(0.05, Duration.ofMinutes(5), Severity.WARNING)
            .backupAge(Duration.ofHours(1), Duration.ZERO, Severity.CRITICAL)
            .tlsExpiry(Duration.ofDays(14), Duration.ofMinutes(10), Severity.WARNING)
            .runbookUrl(RUNBOOKS + "{alert}")
            .runbookUrl(AlertPack.BACKUP_STALE, "https://wiki.example.com/backups#stale")
            .build();

    @TempDir
    Path dir;

    @BeforeEach
    void writeRules() throws Exception {
        MetricsExport export = MetricsExport.builder().job("app").selectorLabel("env", "prod").alertPack(PACK).build();
        Files.writeString(dir.resolve("rules.yml"), export.prometheusRules(), StandardCharsets.UTF_8);
    }

    // ---- series helpers: one value per minute from minute 0

    /** {@code n + 1} values: start, start + step, ... */
    static double[] ramp(double start, double step, int n) {
        double[] v = new double[n + 1];
        for (int i = 0; i <= n; i++) {
            v[i] = start + step * i;
        }
        return v;
    }

    static double[] flat(double value, int n) {
        return ramp(value, 0, n);
    }

    static double[] concat(double[]... parts) {
        int size = 0;
        for (double[] p : parts) {
            size += p.length;
        }
        double[] out = new double[size];
        int i = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    static Map<String, String> annotations(String alert, String summary, String description) {
        String runbook = alert.equals(AlertPack.BACKUP_STALE) ? "https://wiki.example.com/backups#stale"
                : RUNBOOKS + alert.toLowerCase(java.util.Locale.ROOT);
        return labels("summary", summary, "description", description, "runbook_url", runbook);
    }

    private PromtoolSuite suite() {
        return new PromtoolSuite(Duration.ofMinutes(1)).ruleFile("rules.yml");
    }

    private void assertPasses(PromtoolSuite suite, String name) throws Exception {
        Promtool.Result result = suite.run(dir, name);
        assertThat(result.exitCode()).as(result.output() + "\n--- test file ---\n" + suite.yaml()
                + "\n--- rules ---\n" + Files.readString(dir.resolve("rules.yml"))).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    /** Expects no {@code alert} at {@code silentMinute} and exactly {@code alerts} at {@code firingMinute}. */
    private static void expectOnset(PromtoolSuite suite, String alert, long silentMinute, long firingMinute,
                                    List<Map<String, String>> alerts, List<Map<String, String>> annotations) {
        suite.expectAlerts(silentMinute, alert, List.of(), List.of());
        suite.expectAlerts(firingMinute, alert, alerts, annotations);
    }

    // ---- the rules

    @Test
    void serviceDown_upZeroForOneMinute_firesForThatInstanceOnly() throws Exception {
        PromtoolSuite suite = suite()
                .series("up{" + APP + ",instance=\"a:8080\"}", concat(flat(1, 2), flat(0, 10)))
                .series("up{" + APP + ",instance=\"b:8080\"}", flat(1, 12))
                .series("up{" + OTHER + ",instance=\"c:8080\"}", flat(0, 12))
                .series("up{" + STAGING + ",instance=\"d:8080\"}", flat(0, 12));
        // Down from minute 3: pending at 3, firing one minute later.
        expectOnset(suite, AlertPack.SERVICE_DOWN, 3, 4,
                List.of(labels("job", "app", "env", "prod", "instance", "a:8080", "severity", "critical")),
                List.of(annotations(AlertPack.SERVICE_DOWN, "app on a:8080 is down",
                        "Prometheus has failed to scrape a:8080 of app for 1m: the process is down, hung or unreachable.")));
        assertPasses(suite, "service-down.yml");
    }

    @Test
    void processCpu_above80PercentForFiveMinutes_firesAndExactly80StaysSilent() throws Exception {
        cpu("process_cpu_usage", AlertPack.HIGH_PROCESS_CPU, "High CPU use by app on a:8080",
                "The JVM process uses 90% of the machine's CPU, above 80 % for 5m.");
    }

    @Test
    void systemCpu_above80PercentForFiveMinutes_firesAndExactly80StaysSilent() throws Exception {
        cpu("system_cpu_usage", AlertPack.HIGH_SYSTEM_CPU, "High CPU use on the machine of a:8080",
                "The machine running a:8080 of app uses 90% of its CPU, above 80 % for 5m.");
    }

    private void cpu(String metric, String alert, String summary, String description) throws Exception {
        PromtoolSuite suite = suite()
                .series(metric + "{" + APP + ",instance=\"a:8080\"}", concat(flat(0.5, 1), flat(0.9, 12)))
                .series(metric + "{" + APP + ",instance=\"b:8080\"}", flat(0.8, 14))
                .series(metric + "{" + OTHER + ",instance=\"c:8080\"}", flat(0.95, 14));
        expectOnset(suite, alert, 6, 7,
                List.of(labels("job", "app", "env", "prod", "instance", "a:8080", "severity", "warning")),
                List.of(annotations(alert, summary, description)));
        assertPasses(suite, metric + ".yml");
    }

    @Test
    void heapUsage_g1PoolsAt90Percent_firesAndPoolsWithoutMaximumDoNotCount() throws Exception {
        String a = APP + ",instance=\"a:8080\",area=\"heap\"";
        String b = APP + ",instance=\"b:8080\",area=\"heap\"";
        PromtoolSuite suite = suite()
                // G1: eden and survivor have no maximum (-1); the old generation's is the heap's.
                .series("jvm_memory_used_bytes{" + a + ",id=\"G1 Eden Space\"}", flat(300, 10))
                .series("jvm_memory_used_bytes{" + a + ",id=\"G1 Old Gen\"}", flat(600, 10))
                .series("jvm_memory_max_bytes{" + a + ",id=\"G1 Eden Space\"}", flat(-1, 10))
                .series("jvm_memory_max_bytes{" + a + ",id=\"G1 Old Gen\"}", flat(1000, 10))
                .series("jvm_memory_used_bytes{" + APP + ",instance=\"a:8080\",area=\"nonheap\",id=\"Metaspace\"}",
                        flat(5000, 10))
                .series("jvm_memory_used_bytes{" + b + ",id=\"G1 Old Gen\"}", flat(850, 10))
                .series("jvm_memory_max_bytes{" + b + ",id=\"G1 Old Gen\"}", flat(1000, 10));
        expectOnset(suite, AlertPack.HIGH_HEAP_USAGE, 4, 5,
                List.of(labels("job", "app", "env", "prod", "instance", "a:8080", "severity", "warning")),
                List.of(annotations(AlertPack.HIGH_HEAP_USAGE, "Heap of app on a:8080 is nearly full",
                        "90% of the maximum heap is in use, above 85 % for 5m.")));
        assertPasses(suite, "heap.yml");
    }

    @Test
    void diskFree_below10Percent_firesAndExactly10StaysSilent() throws Exception {
        PromtoolSuite suite = suite()
                .series("disk_free_bytes{" + APP + ",instance=\"a:8080\",path=\"/data\"}", flat(50, 10))
                .series("disk_total_bytes{" + APP + ",instance=\"a:8080\",path=\"/data\"}", flat(1000, 10))
                .series("disk_free_bytes{" + APP + ",instance=\"b:8080\",path=\"/data\"}", flat(100, 10))
                .series("disk_total_bytes{" + APP + ",instance=\"b:8080\",path=\"/data\"}", flat(1000, 10))
                .series("disk_free_bytes{" + OTHER + ",instance=\"c:8080\",path=\"/data\"}", flat(1, 10))
                .series("disk_total_bytes{" + OTHER + ",instance=\"c:8080\",path=\"/data\"}", flat(1000, 10));
        expectOnset(suite, AlertPack.LOW_DISK_SPACE, 4, 5,
                List.of(labels("job", "app", "env", "prod", "instance", "a:8080", "path", "/data", "severity",
                        "critical")),
                List.of(annotations(AlertPack.LOW_DISK_SPACE, "Disk /data of a:8080 is nearly full",
                        "5% of /data is free, below 10 % for 5m.")));
        assertPasses(suite, "disk.yml");
    }

    static String requests(String selector, String route, int status, String outcome) {
        return "http_server_requests_seconds_count{" + selector + ",instance=\"a:8080\",method=\"GET\",route=\""
                + route + "\",status=\"" + status + "\",outcome=\"" + outcome + "\",exception=\"none\"}";
    }

    private PromtoolSuite serverErrors(double perMinuteOk, double perMinuteBad) {
        return suite()
                .series(requests(APP, "/api/items", 200, "SUCCESS"), ramp(0, perMinuteOk, 20))
                .series(requests(APP, "/api/items", 500, "SERVER_ERROR"), ramp(0, perMinuteBad, 20))
                // Left out: readiness 503s, maintenance refusals, and another job's errors.
                .series(requests(APP, "/health/ready", 503, "SERVER_ERROR"), ramp(0, 1000, 20))
                .series(requests(APP, "/api/items", 503, "REFUSED"), ramp(0, 1000, 20))
                .series(requests(OTHER, "/api/items", 500, "SERVER_ERROR"), ramp(0, 1000, 20));
    }

    static Map<String, String> errorLabels(String severity) {
        return labels("job", "app", "env", "prod", "severity", severity);
    }

    static Map<String, String> errorAnnotations(String percent, String threshold, String forText) {
        return annotations(AlertPack.HIGH_SERVER_ERROR_RATIO, "app answers too many server errors",
                percent + " of requests were answered with a 5xx status over 5m, above " + threshold + " % for "
                        + forText + ".");
    }

    @Test
    void serverErrorRatio_twoPercent_firesTheWarningOnlyAndIgnoresProbesRefusalsAndOtherJobs() throws Exception {
        PromtoolSuite suite = serverErrors(980, 20);
        // The ratio exists from minute 1 (two samples): warning after 5 more minutes; 2 % < 5 %: no critical.
        expectOnset(suite, AlertPack.HIGH_SERVER_ERROR_RATIO, 5, 6, List.of(errorLabels("warning")),
                List.of(errorAnnotations("2%", "1", "5m")));
        suite.expectAlerts(15, AlertPack.HIGH_SERVER_ERROR_RATIO, List.of(errorLabels("warning")),
                List.of(errorAnnotations("2%", "1", "5m")));
        assertPasses(suite, "errors-2.yml");
    }

    @Test
    void serverErrorRatio_sixPercent_firesTheCriticalAfterTwoMinutes() throws Exception {
        PromtoolSuite suite = serverErrors(940, 60);
        expectOnset(suite, AlertPack.HIGH_SERVER_ERROR_RATIO, 2, 3, List.of(errorLabels("critical")),
                List.of(errorAnnotations("6%", "5", "2m")));
        suite.expectAlerts(6, AlertPack.HIGH_SERVER_ERROR_RATIO,
                List.of(errorLabels("warning"), errorLabels("critical")),
                List.of(errorAnnotations("6%", "1", "5m"), errorAnnotations("6%", "5", "2m")));
        assertPasses(suite, "errors-6.yml");
    }

    @Test
    void serverErrorRatio_belowOnePercent_staysSilent() throws Exception {
        PromtoolSuite suite = serverErrors(992, 8);
        suite.expectAlerts(10, AlertPack.HIGH_SERVER_ERROR_RATIO, List.of(), List.of());
        suite.expectAlerts(20, AlertPack.HIGH_SERVER_ERROR_RATIO, List.of(), List.of());
        assertPasses(suite, "errors-1.yml");
    }

    @Test
    void serverErrorRatio_withMinRequests_fewRequestsNeverFire() throws Exception {
        AlertPack guarded = AlertPack.builder().serverErrorRatio(0.01, Duration.ofMinutes(5), Severity.WARNING)
                .minRequests(100).runbookUrl(RUNBOOKS + "{alert}").build();
        Files.writeString(dir.resolve("rules.yml"), MetricsExport.builder().job("app").selectorLabel("env", "prod")
                .alertPack(guarded).build().prometheusRules(), StandardCharsets.UTF_8);
        // Half the requests fail, but 4 a minute make 20 in 5 minutes, fewer than 100; 40 a minute make 200.
        PromtoolSuite quiet = serverErrors(2, 2);
        quiet.expectAlerts(10, AlertPack.HIGH_SERVER_ERROR_RATIO, List.of(), List.of());
        assertPasses(quiet, "errors-few.yml");
        PromtoolSuite busy = serverErrors(20, 20);
        busy.expectAlerts(10, AlertPack.HIGH_SERVER_ERROR_RATIO, List.of(errorLabels("warning")),
                List.of(errorAnnotations("50%", "1", "5m")));
        assertPasses(busy, "errors-many.yml");
    }

    /** Bucket series of {@code metric} per minute: increments for each {@code le}. */
    static void buckets(PromtoolSuite suite, String metric, String selector, String[] les, double[] perMinute) {
        for (int i = 0; i < les.length; i++) {
            suite.series(metric + "{" + selector + ",le=\"" + les[i] + "\"}", ramp(0, perMinute[i], 20));
        }
    }

    static final String[] HTTP_LES = {"0.1", "0.5", "2.0", "+Inf"};

    @Test
    void latency_p95Above500ms_firesTheP95RuleOnly() throws Exception {
        PromtoolSuite suite = suite();
        String api = APP + ",instance=\"a:8080\",method=\"GET\",route=\"/api/items\",status=\"200\",outcome=\"SUCCESS\","
                + "exception=\"none\"";
        // 90 % within 100 ms, 10 % between 500 ms and 2 s: p95 = 500 ms + (95 - 90) / 10 × 1.5 s = 1.25 s;
        // p99 = 1.85 s, under its 2 s threshold.
        buckets(suite, "http_server_requests_seconds_bucket", api, HTTP_LES, new double[] {90, 90, 100, 100});
        // Slow readiness probes and another job's slow requests are left out.
        buckets(suite, "http_server_requests_seconds_bucket", api.replace("/api/items", "/health/ready"), HTTP_LES,
                new double[] {0, 0, 0, 1000});
        buckets(suite, "http_server_requests_seconds_bucket", api.replace("job=\"app\"", "job=\"other\""), HTTP_LES,
                new double[] {0, 0, 0, 1000});
        expectOnset(suite, AlertPack.HIGH_REQUEST_LATENCY, 5, 6,
                List.of(labels("job", "app", "env", "prod", "quantile", "0.95", "severity", "warning")),
                List.of(annotations(AlertPack.HIGH_REQUEST_LATENCY, "p95 request latency of app is high",
                        "The p95 request latency over 5m is 1.25s, above 500ms for 5m.")));
        assertPasses(suite, "latency.yml");
    }

    @Test
    void latency_p95Below500ms_staysSilent() throws Exception {
        PromtoolSuite suite = suite();
        String api = APP + ",instance=\"a:8080\",route=\"/api/items\",outcome=\"SUCCESS\"";
        // 96 % within 500 ms: p95 = 100 ms + 5 / 6 × 400 ms = 433 ms; p99 = 500 ms + 3 / 4 × 1.5 s = 1.625 s.
        buckets(suite, "http_server_requests_seconds_bucket", api, HTTP_LES, new double[] {90, 96, 100, 100});
        suite.expectAlerts(10, AlertPack.HIGH_REQUEST_LATENCY, List.of(), List.of());
        assertPasses(suite, "latency-at.yml");
    }

    @Test
    void dbPoolUsage_above85Percent_firesPerPoolAndExactly85StaysSilent() throws Exception {
        PromtoolSuite suite = suite()
                .series("db_pool_usage_ratio{" + APP + ",instance=\"a:8080\",pool=\"main\"}", flat(0.9, 10))
                .series("db_pool_usage_ratio{" + APP + ",instance=\"b:8080\",pool=\"main\"}", flat(0.85, 10))
                .series("db_pool_usage_ratio{" + OTHER + ",instance=\"c:8080\",pool=\"main\"}", flat(1, 10));
        // The value as it is: firing 5 minutes after it first reads above 85 %, not 10.
        expectOnset(suite, AlertPack.HIGH_DB_POOL_USAGE, 4, 5,
                List.of(labels("job", "app", "env", "prod", "instance", "a:8080", "pool", "main", "severity",
                        "warning")),
                List.of(annotations(AlertPack.HIGH_DB_POOL_USAGE, "DB pool main of a:8080 is nearly exhausted",
                        "90% of the pool's connections are in use, above 85 % for 5m.")));
        assertPasses(suite, "pool.yml");
    }

    static final String[] AI_LES = {"10.24", "20.48", "40.96", "+Inf"};

    static String model(String selector, String model) {
        return selector + ",instance=\"a:8080\",gen_ai_provider_name=\"openai\",gen_ai_request_model=\"" + model
                + "\",gen_ai_operation_name=\"chat\"";
    }

    @Test
    void aiLatency_p95Above15s_firesForThatModelOnly() throws Exception {
        PromtoolSuite suite = suite();
        // gpt-4o: p95 = 20.48 + (95 - 90) / 10 × 20.48 = 30.72 s; gpt-4o-mini: p95 = 95 / 96 × 10.24 < 15 s.
        buckets(suite, "gen_ai_client_operation_duration_seconds_bucket", model(APP, "gpt-4o"), AI_LES,
                new double[] {90, 90, 100, 100});
        buckets(suite, "gen_ai_client_operation_duration_seconds_bucket", model(APP, "gpt-4o-mini"), AI_LES,
                new double[] {96, 100, 100, 100});
        buckets(suite, "gen_ai_client_operation_duration_seconds_bucket", model(OTHER, "gpt-4o"), AI_LES,
                new double[] {0, 0, 0, 100});
        expectOnset(suite, AlertPack.HIGH_AI_LATENCY, 5, 6,
                List.of(labels("job", "app", "env", "prod", "gen_ai_provider_name", "openai", "gen_ai_request_model",
                        "gpt-4o", "quantile", "0.95", "severity", "warning")),
                List.of(annotations(AlertPack.HIGH_AI_LATENCY, "p95 latency of AI model gpt-4o is high",
                        "The p95 duration of calls to openai gpt-4o over 5m is 30.72s, above 15s for 5m.")));
        assertPasses(suite, "ai-latency.yml");
    }

    @Test
    void aiDailyCost_above100Dollars_firesAfterItsForAndExactly100StaysSilent() throws Exception {
        PromtoolSuite suite = suite()
                // $5 a minute: $105 at minute 21, so firing at 31 with for 10m.
                .series("ai_cost_usd_total{" + model(APP, "gpt-4o") + "}", ramp(0, 5, 40))
                .series("ai_cost_usd_total{" + model(OTHER, "gpt-4o") + "}", ramp(0, 50, 40));
        expectOnset(suite, AlertPack.AI_DAILY_COST_OVER_BUDGET, 30, 31,
                List.of(labels("job", "app", "env", "prod", "severity", "warning")),
                List.of(annotations(AlertPack.AI_DAILY_COST_OVER_BUDGET, "AI spending of app is over its daily budget",
                        "AI calls cost $155.00 over the last 24 hours, above the budget of $100.00 for 10m.")));
        assertPasses(suite, "ai-cost.yml");

        PromtoolSuite atBudget = suite()
                .series("ai_cost_usd_total{" + model(APP, "gpt-4o") + "}", concat(ramp(0, 5, 20), flat(100, 40)));
        atBudget.expectAlerts(60, AlertPack.AI_DAILY_COST_OVER_BUDGET, List.of(), List.of());
        assertPasses(atBudget, "ai-cost-at.yml");
    }

    @Test
    void aiRateLimited_moreThanTenRefusalsInFiveMinutes_firesAndOtherReasonsDoNotCount() throws Exception {
        String rejected = "ai_requests_rejected_total{" + model(APP, "gpt-4o").replace(",gen_ai_operation_name=\"chat\"", "");
        PromtoolSuite suite = suite()
                // 3 a minute: 12 in the window at minute 4, so firing at 6 with for 2m (15 by then).
                .series(rejected + ",reason=\"rate_limit\"}", ramp(0, 3, 20))
                .series(rejected + ",reason=\"budget\"}", ramp(0, 100, 20))
                .series(rejected.replace("gpt-4o", "gpt-4o-mini") + ",reason=\"provider_pause\"}", ramp(0, 2, 20))
                .series(rejected.replace("job=\"app\"", "job=\"other\"") + ",reason=\"rate_limit\"}", ramp(0, 100, 20));
        expectOnset(suite, AlertPack.AI_RATE_LIMITED, 5, 6,
                List.of(labels("job", "app", "env", "prod", "gen_ai_provider_name", "openai", "gen_ai_request_model",
                        "gpt-4o", "severity", "warning")),
                List.of(annotations(AlertPack.AI_RATE_LIMITED, "AI calls of app to gpt-4o are rate-limited",
                        "15 calls to openai gpt-4o were refused for rate limits over 5m, more than 10 for 2m.")));
        assertPasses(suite, "ai-rate.yml");
    }

    @Test
    void aiErrorRatio_tenPercent_firesForThatModelAndThreePercentStaysSilent() throws Exception {
        String errors = "ai_provider_errors_total{" + model(APP, "gpt-4o").replace(",gen_ai_operation_name=\"chat\"", "")
                + ",error_type=\"http_503\"}";
        PromtoolSuite suite = suite()
                .series(errors, ramp(0, 6, 20))
                .series("gen_ai_client_operation_duration_seconds_count{" + model(APP, "gpt-4o") + "}", ramp(0, 60, 20))
                .series(errors.replace("gpt-4o", "gpt-4o-mini"), ramp(0, 3, 20))
                .series("gen_ai_client_operation_duration_seconds_count{" + model(APP, "gpt-4o-mini") + "}",
                        ramp(0, 100, 20));
        expectOnset(suite, AlertPack.HIGH_AI_ERROR_RATIO, 5, 6,
                List.of(labels("job", "app", "env", "prod", "gen_ai_provider_name", "openai", "gen_ai_request_model",
                        "gpt-4o", "severity", "warning")),
                List.of(annotations(AlertPack.HIGH_AI_ERROR_RATIO, "AI calls of app to gpt-4o fail",
                        "10% of the attempts to call openai gpt-4o failed over 5m, above 5 % for 5m.")));
        assertPasses(suite, "ai-errors.yml");
    }

    @Test
    void backupAge_pastTheRpo_firesEvenAfterARestartResetTheGauge() throws Exception {
        // Backed up at minute 10 (t = 600 s); the service restarts at minute 30 and the gauge reads 0
        // again. The largest value within the RPO still says minute 10: stale only past minute 70.
        PromtoolSuite suite = suite()
                .series("opskit_backup_last_success_timestamp_seconds{" + APP + ",instance=\"a:8080\",repository=\"sample\"}",
                        concat(flat(0, 9), flat(600, 19), flat(0, 60)))
                // Another repository backed up every 30 minutes stays fresh.
                .series("opskit_backup_last_success_timestamp_seconds{" + APP + ",instance=\"a:8080\",repository=\"files\"}",
                        concat(flat(0, 29), flat(1800, 29), flat(3600, 29)));
        expectOnset(suite, AlertPack.BACKUP_STALE, 70, 71,
                List.of(labels("job", "app", "env", "prod", "repository", "sample", "severity", "critical")),
                List.of(annotations(AlertPack.BACKUP_STALE, "Backups of sample are older than the RPO",
                        "The last successful backup of sample that Prometheus saw is 1h 1m 0s old, past the recovery "
                                + "point objective of 1h.")));
        suite.expectAlerts(40, AlertPack.BACKUP_STALE, List.of(), List.of());
        assertPasses(suite, "backup.yml");
    }

    @Test
    void tlsExpiry_withinFourteenDays_firesAfterItsFor() throws Exception {
        double expiry = Duration.ofDays(14).plusMinutes(30).toSeconds();
        PromtoolSuite suite = suite()
                // Within 14 days from minute 31: firing at 41 with for 10m.
                .series(TlsCertificateGauges.PROMETHEUS_NAME + "{" + APP + ",instance=\"a:8080\",certificate=\"api\"}",
                        flat(expiry, 50))
                .series(TlsCertificateGauges.PROMETHEUS_NAME + "{" + APP + ",instance=\"a:8080\",certificate=\"admin\"}",
                        flat(Duration.ofDays(60).toSeconds(), 50));
        expectOnset(suite, AlertPack.TLS_CERTIFICATE_EXPIRING, 40, 41,
                List.of(labels("job", "app", "env", "prod", "instance", "a:8080", "certificate", "api", "severity",
                        "warning")),
                List.of(annotations(AlertPack.TLS_CERTIFICATE_EXPIRING, "TLS certificate api expires soon",
                        "The certificate api of a:8080 expires in 13d 23h 49m 0s, within 14d for 10m.")));
        assertPasses(suite, "tls.yml");
    }

    @Test
    void prometheusRules_withThePack_passPromtoolCheckRules() throws Exception {
        Promtool.Result result = Promtool.run(new byte[0], "check", "rules", dir.resolve("rules.yml").toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: 16 rules found");
    }
}
