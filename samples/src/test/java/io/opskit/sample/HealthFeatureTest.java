package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.Probe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthFeatureTest {

    private static final String TOKEN = "health-admin-token";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private SampleApp start() throws Exception {
        List<SampleFeature> features = new ArrayList<>();
        // Another feature's contribution, made the way a module's feature makes it.
        features.add(host -> host.healthCheck("contributed-cache", () -> HealthResult.down("cache unreachable"),
                false, Probe.READINESS));
        features.addAll(SampleApp.features());
        return SampleApp.start(new SampleOptions(0, dataDir, TOKEN, false, Map.of("OPSKIT_ADMIN_TOKEN", TOKEN)),
                features);
    }

    private HttpResponse<String> send(SampleApp app, String method, String path, boolean admin) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (admin) {
            request.header("Authorization", "Bearer " + TOKEN);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void health_anonymousCaller_seesOnlyTheAggregate() throws Exception {
        try (SampleApp app = start()) {
            HttpResponse<String> live = send(app, "GET", "/health/live", false);
            HttpResponse<String> ready = send(app, "GET", "/health/ready", false);

            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(ready.statusCode()).isEqualTo(200);
            // the contributed non-critical check is DOWN: the service is degraded, still serving
            assertThat(ready.body()).isEqualTo("{\"status\":\"DEGRADED\"}");
            assertThat(send(app, "GET", "/health", false).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void health_adminCaller_seesEveryCheckIncludingContributedOnes() throws Exception {
        try (SampleApp app = start()) {
            HttpResponse<String> response = send(app, "GET", "/health", true);

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode checks = HttpResponses.json().readTree(response.body()).path("checks");
            assertThat(checks.path("database").path("status").asText()).isEqualTo("UP");
            assertThat(checks.path("database").path("message").asText()).startsWith("Connected (");
            assertThat(checks.path("disk").path("details").has("freeBytes")).isTrue();
            assertThat(checks.has("memory")).isTrue();
            assertThat(checks.has("db-pool")).isTrue();
            assertThat(checks.path("maintenance").path("status").asText()).isEqualTo("UP");
            for (SampleHost.ContributedCheck contributed : app.host().contributedChecks()) {
                assertThat(checks.has(contributed.name())).as(contributed.name()).isTrue();
            }
            assertThat(checks.path("contributed-cache").path("critical").asBoolean()).isFalse();
            assertThat(response.body()).doesNotContain(TOKEN);
        }
    }

    @Test
    void maintenance_onAndOff_readinessOutOfServiceWhileLivenessStaysUp() throws Exception {
        try (SampleApp app = start()) {
            assertThat(send(app, "POST", "/admin/maintenance?on=true", false).statusCode()).isEqualTo(401);

            HttpResponse<String> on = send(app, "POST", "/admin/maintenance?on=true", true);
            assertThat(on.statusCode()).isEqualTo(200);
            assertThat(on.body()).contains("\"maintenance\":true");

            HttpResponse<String> ready = send(app, "GET", "/health/ready", false);
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).isEqualTo("{\"status\":\"OUT_OF_SERVICE\"}");
            assertThat(send(app, "GET", "/health/live", false).statusCode()).isEqualTo(200);

            assertThat(send(app, "POST", "/admin/maintenance?on=false", true).statusCode()).isEqualTo(200);
            assertThat(send(app, "GET", "/health/ready", false).statusCode()).isEqualTo(200);
            assertThat(send(app, "POST", "/admin/maintenance?on=maybe", true).statusCode()).isEqualTo(400);
            assertThat(send(app, "GET", "/admin/maintenance", true).statusCode()).isEqualTo(405);
        }
    }

    @Test
    void metrics_afterAHealthRequest_exposeHealthMeters() throws Exception {
        try (SampleApp app = start()) {
            send(app, "GET", "/health/ready", false);

            String scrape = app.host().registry().scrape();
            assertThat(scrape).contains("health_check_duration_seconds_count{check=\"database\"}")
                    .contains("health_group_status{group=\"readiness\"}");
        }
    }
}
