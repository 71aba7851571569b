package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opskit.metrics.MetricsExport;
import io.opskit.testsupport.Prometheus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample in a real monitoring stack: a Prometheus server (the Debian binary, its own port and
 * storage) scrapes the sample every second with the rules the sample generated loaded. After traffic
 * with 10 % server errors on one route, every rule evaluates healthily, every dashboard query returns
 * data, every series the alert pack reads exists, the SLO page fires, and the deploy gate over
 * Prometheus agrees with the one over the in-process trackers.
 */
class PrometheusServerTest {

    private static final String TOKEN = "prometheus-test-token";
    private static final String JOB = "opskit-sample";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @TempDir
    Path prometheusDir;

    /** The sample plus {@code /api/flaky}, which answers every tenth request with a 500. */
    private SampleApp start(int prometheusPort) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        SampleFeature flaky = host -> host.route("/api/flaky", exchange -> {
            int n = calls.incrementAndGet();
            HttpResponses.send(exchange, n % 10 == 0 ? 500 : 200, "text/plain", "ok".getBytes(StandardCharsets.UTF_8));
        });
        List<SampleFeature> features = new ArrayList<>(SampleApp.features());
        features.add(0, flaky);
        return SampleApp.start(new SampleOptions(0, dataDir, TOKEN, false,
                Map.of("OPSKIT_METRICS_PROMETHEUS_URL", "http://127.0.0.1:" + prometheusPort)), features);
    }

    private void traffic(SampleApp app, String path, int requests) throws Exception {
        List<CompletableFuture<HttpResponse<Void>>> sent = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            sent.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).build(),
                    HttpResponse.BodyHandlers.discarding()));
            if (sent.size() == 20) {
                for (CompletableFuture<HttpResponse<Void>> f : sent) {
                    f.get(30, TimeUnit.SECONDS);
                }
                sent.clear();
            }
        }
        for (CompletableFuture<HttpResponse<Void>> f : sent) {
            f.get(30, TimeUnit.SECONDS);
        }
    }

    private JsonNode admin(SampleApp app, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static JsonNode result(Prometheus prometheus, String promql) throws Exception {
        JsonNode answer = JSON.readTree(prometheus.query(promql));
        assertThat(answer.path("status").asText()).as(promql + " -> " + answer).isEqualTo("success");
        return answer.get("data").get("result");
    }

    /** Polls the server (it scrapes and evaluates on its own clock) until {@code done} holds, at most 20 s. */
    private static JsonNode await(Prometheus prometheus, String promql, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode r = result(prometheus, promql);
        while (!done.test(r)) {
            assertThat(System.nanoTime()).as("waiting for " + promql + ", last " + r + "\n" + prometheus.log())
                    .isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            r = result(prometheus, promql);
        }
        return r;
    }

    private static double value(JsonNode result) {
        double sum = 0;
        for (JsonNode series : result) {
            sum += series.get("value").get(1).asDouble();
        }
        return sum;
    }

    @Test
    void prometheus_scrapingTheSampleWithItsRules_evaluatesRulesDashboardAndGateAlike() throws Exception {
        int port = Prometheus.freePort();
        try (SampleApp app = start(port)) {
            Path rules = dataDir.resolve(MetricsExport.RULES_FILE);
            String config = Prometheus.config(Duration.ofSeconds(1), JOB, "127.0.0.1:" + app.port(), List.of(rules));
            try (Prometheus prometheus = Prometheus.start(prometheusDir, config, port)) {
                // Warm up: every series exists (at its first value) before the traffic Prometheus compares.
                traffic(app, "/", 1);
                traffic(app, "/api/flaky", 1);
                HttpResponse<String> ai = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + app.port() + "/api/feedback"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"text\": \"Works with Prometheus.\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ai.statusCode()).as(ai.body()).isEqualTo(200);
                String flaky = "http_server_requests_seconds_count{job=\"" + JOB + "\",route=\"/api/flaky\"}";
                // increase() extrapolates from the first and last scrapes by up to one interval: with 8
                // scrapes before the traffic the figures are within a few percent of the exact counts.
                await(prometheus, "count_over_time(" + flaky + "[1m])", r -> r.size() > 0 && value(r) >= 8);

                traffic(app, "/api/flaky", 400);
                traffic(app, "/", 200);
                // Scraped to the last request: 401 on the flaky route.
                await(prometheus, "sum(" + flaky + ")", r -> value(r) >= 401);
                // The SLO page fires: 10 % errors on /api/flaky is far above 14.4 x the 0.1 % budget.
                JsonNode page = await(prometheus, "ALERTS{alertname=\"SloErrorBudgetBurn\",alertstate=\"firing\","
                        + "slo=\"sample-availability\",long_window=\"1h\"}", r -> r.size() > 0);
                assertThat(page.get(0).get("metric").get("job").asText()).isEqualTo(JOB);
                assertThat(page.get(0).get("metric").get("severity").asText()).isEqualTo("critical");

                assertRulesHealthy(prometheus, rules);
                assertDashboardQueriesHaveData(prometheus);
                assertAlertPackSeriesExist(prometheus);
                assertGatesAgree(app, prometheus);
            }
        }
    }

    private static void assertRulesHealthy(Prometheus prometheus, Path rulesFile) throws Exception {
        long expected = Files.readAllLines(rulesFile).stream()
                .filter(l -> l.startsWith("      - record: ") || l.startsWith("      - alert: ")).count();
        JsonNode groups = JSON.readTree(prometheus.get("/api/v1/rules")).get("data").get("groups");
        List<String> rules = new ArrayList<>();
        for (JsonNode group : groups) {
            for (JsonNode rule : group.get("rules")) {
                rules.add(rule.get("name").asText());
                assertThat(rule.get("health").asText()).as(rule.get("name") + ": " + rule.path("lastError"))
                        .isEqualTo("ok");
                assertThat(rule.path("lastError").asText()).isEmpty();
                assertThat(rule.get("lastEvaluation").asText()).as("evaluated").doesNotStartWith("0001-");
            }
        }
        assertThat(groups).hasSize(1);
        assertThat(rules).hasSize((int) expected).contains("SloErrorBudgetBurn", "ServiceDown", "HighDbPoolUsage",
                "AiDailyCostOverBudget", "BackupStale", "opskit:slo_error_budget_remaining:ratio");
    }

    private void assertDashboardQueriesHaveData(Prometheus prometheus) throws Exception {
        JsonNode dashboard = JSON.readTree(Files.readString(dataDir.resolve(MetricsExport.DASHBOARD_FILE)));
        List<String> empty = new ArrayList<>();
        int queries = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                // Grafana's variables at their "All" values: this job, every instance.
                String expr = target.get("expr").asText().replace("$job", JOB).replace("$instance", ".+");
                queries++;
                if (result(prometheus, expr).isEmpty()) {
                    empty.add(panel.get("title").asText() + ": " + expr);
                }
            }
        }
        assertThat(queries).isGreaterThanOrEqualTo(15);
        assertThat(empty).as("dashboard queries without data").isEmpty();
    }

    private void assertAlertPackSeriesExist(Prometheus prometheus) throws Exception {
        List<String> missing = new ArrayList<>();
        for (String name : MetricsFeature.alertPack(SampleSettings.load(dataDir, Map.of())).metricNames()) {
            if (result(prometheus, "count({__name__=\"" + name + "\",job=\"" + JOB + "\"})").isEmpty()) {
                missing.add(name);
            }
        }
        assertThat(missing).as("series the alert pack reads that Prometheus does not have").isEmpty();
    }

    private void assertGatesAgree(SampleApp app, Prometheus prometheus) throws Exception {
        String query = "/admin/deploy-gate?window=1m&min_events=100&source=";
        // Right after a scrape, so that little is extrapolated past the last one.
        await(prometheus, "time() - timestamp(up{job=\"" + JOB + "\"})", r -> r.size() > 0 && value(r) < 0.3);
        JsonNode fleet = admin(app, query + "prometheus");
        JsonNode inProcess = admin(app, query + "in-process");
        assertThat(fleet.get("source").asText()).startsWith("prometheus http://127.0.0.1:");
        assertThat(inProcess.get("verdict").asText()).isEqualTo("FAIL");
        assertThat(fleet.get("verdict").asText()).as(fleet.toString()).isEqualTo(inProcess.get("verdict").asText());
        for (int i = 0; i < 2; i++) {
            JsonNode a = inProcess.get("checks").get(i);
            JsonNode b = fleet.get("checks").get(i);
            assertThat(b.get("slo").asText()).isEqualTo(a.get("slo").asText());
            assertThat(b.get("verdict").asText()).as(a + "\n" + b).isEqualTo(a.get("verdict").asText());
            assertThat(b.get("events").asDouble()).as(a + "\n" + b)
                    .isBetween(a.get("events").asDouble() * 0.9, a.get("events").asDouble() * 1.1);
            assertThat(b.get("error_ratio").asDouble()).as(a + "\n" + b)
                    .isCloseTo(a.get("error_ratio").asDouble(), org.assertj.core.data.Offset.offset(0.01));
        }
        // 40 of the 401 flaky and 201 other requests (the AI call included) failed.
        assertThat(inProcess.get("checks").get(0).get("error_ratio").asDouble())
                .isCloseTo(40.0 / 603, org.assertj.core.data.Offset.offset(0.002));
    }
}
