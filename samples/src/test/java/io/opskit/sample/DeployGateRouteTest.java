package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /admin/deploy-gate: the deploy gate over the sample's own SLO trackers, behind the admin token. */
class DeployGateRouteTest {

    private static final String TOKEN = "gate-test-token";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private HttpResponse<String> get(SampleApp app, String path, boolean admin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path));
        if (admin) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void deployGate_afterTraffic_judgesTheSlosAsJson() throws Exception {
        try (SampleApp app = SampleApp.start(new SampleOptions(0, dataDir, TOKEN, false, Map.of()))) {
            // 150 requests, 10 at a time: one at a time they take about 50 ms each on this server.
            for (int batch = 0; batch < 15; batch++) {
                List<CompletableFuture<HttpResponse<Void>>> sent = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    sent.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/"))
                            .build(), HttpResponse.BodyHandlers.discarding()));
                }
                for (CompletableFuture<HttpResponse<Void>> f : sent) {
                    assertThat(f.get().statusCode()).isEqualTo(200);
                }
                get(app, "/health/ready", false); // left out of the SLOs
            }
            HttpResponse<String> response = get(app, "/admin/deploy-gate?window=5m&min_events=100", true);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode report = new ObjectMapper().readTree(response.body());
            assertThat(report.get("source").asText()).isEqualTo("in-process");
            assertThat(report.get("window").asText()).isEqualTo("5m");
            JsonNode availability = report.get("checks").get(0);
            assertThat(availability.get("slo").asText()).isEqualTo("sample-availability");
            assertThat(availability.get("verdict").asText()).isEqualTo("PASS");
            // Every GET / is counted (it is recorded just after its answer: the last may still be on its way).
            assertThat(availability.get("events").asDouble()).isBetween(149.0, 150.0);
            assertThat(availability.get("bad_events").asDouble()).isZero();
            JsonNode latency = report.get("checks").get(1);
            assertThat(latency.get("slo").asText()).isEqualTo("sample-latency");
            // The machine's load decides the latency verdict; the overall one follows it.
            assertThat(report.get("verdict").asText()).isEqualTo(latency.get("verdict").asText());

            JsonNode few = new ObjectMapper().readTree(get(app, "/admin/deploy-gate?min_events=1000", true).body());
            assertThat(few.get("verdict").asText()).isEqualTo("INCONCLUSIVE");
            assertThat(few.get("window").asText()).isEqualTo("30m");
            assertThat(few.get("checks").get(0).get("reason").asText()).endsWith("fewer than the 1000 needed to judge");
        }
    }

    @Test
    void deployGate_badRequests_areRefused() throws Exception {
        try (SampleApp app = SampleApp.start(new SampleOptions(0, dataDir, TOKEN, false, Map.of()))) {
            assertThat(get(app, "/admin/deploy-gate", false).statusCode()).isEqualTo(401);
            HttpResponse<String> noPrometheus = get(app, "/admin/deploy-gate?source=prometheus", true);
            assertThat(noPrometheus.statusCode()).isEqualTo(400);
            assertThat(noPrometheus.body()).contains("metrics.prometheus.url");
            assertThat(get(app, "/admin/deploy-gate?window=90s", true).body()).contains("window must be whole minutes");
            assertThat(get(app, "/admin/deploy-gate?window=soon", true).statusCode()).isEqualTo(400);
            assertThat(get(app, "/admin/deploy-gate?verbose=1", true).statusCode()).isEqualTo(400);
        }
    }

    @Test
    void start_badPrometheusUrl_failsNamingTheSetting() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SampleApp.start(new SampleOptions(0, dataDir, TOKEN,
                        false, Map.of("OPSKIT_METRICS_PROMETHEUS_URL", "ftp://prometheus"))))
                .hasMessageStartingWith("metrics.prometheus.url: baseUri must be an absolute http or https URI");
    }
}
