package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Feedback stored through the timed data source and refused by the storage guard at the maximum. */
class DbFeatureTest {

    private static final String TOKEN = "db-admin-token";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private SampleApp start(Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("OPSKIT_ADMIN_TOKEN", TOKEN);
        return SampleApp.start(new SampleOptions(0, dataDir, TOKEN, false, env));
    }

    private HttpResponse<String> get(SampleApp app, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(SampleApp app, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/feedback"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void feedback_isStoredThroughTheTimedDataSource() throws Exception {
        try (SampleApp app = start(Map.of())) {
            assertThat(post(app, "{\"text\": \"Search is great.\"}").statusCode()).isEqualTo(200);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("app.db"));
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT body FROM feedback")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).contains("Search is great.");
            }
            String metrics = get(app, "/metrics").body();
            assertThat(metrics).contains("db_client_operation_duration_seconds_bucket")
                    .contains("db_query_fingerprint=\"insert into feedback(created_at, body) values (?)\"")
                    .doesNotContain("Search is great");
            HttpResponse<String> report = get(app, "/admin/db/report");
            assertThat(report.statusCode()).isEqualTo(200);
            JsonNode json = HttpResponses.json().readTree(report.body());
            assertThat(json.path("system").asText()).isEqualTo("sqlite");
        }
    }

    @Test
    void storageMax_reached_feedbackGets507NamingTheLimitWhileLivenessAndMetricsAnswer() throws Exception {
        try (SampleApp app = start(Map.of("OPSKIT_STORAGE_MAX", "1KB"))) {
            HttpResponse<String> refused = post(app, "{\"text\": \"one more\"}");
            assertThat(refused.statusCode()).isEqualTo(507);
            JsonNode body = HttpResponses.json().readTree(refused.body());
            assertThat(body.path("limit").asText()).isEqualTo("storage.max");
            assertThat(body.path("limit_bytes").asLong()).isEqualTo(1000);
            assertThat(body.path("error").asText()).contains("storage full");
            assertThat(get(app, "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(app, "/metrics").statusCode()).isEqualTo(200);
            assertThat(get(app, "/").statusCode()).isEqualTo(200);
        }
    }
}
