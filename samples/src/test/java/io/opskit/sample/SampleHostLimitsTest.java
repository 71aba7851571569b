package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample host's request rules: exact routes, bounded bodies, checked content types, maintenance. */
class SampleHostLimitsTest {

    private static final String TOKEN = "limits-admin-token";

    private final HttpClient http = HttpClient.newHttpClient();
    private SampleApp app;

    @TempDir
    Path dataDir;

    @BeforeEach
    void start() {
        SampleMain.Launch launch = SampleMain.launch(
                new String[] {"--port", "0", "--data-dir", dataDir.toString()}, Map.of("OPSKIT_ADMIN_TOKEN", TOKEN),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
        assertThat(launch.app()).isNotNull();
        app = launch.app();
    }

    @AfterEach
    void stop() {
        app.close();
    }

    private HttpResponse<String> send(String method, String path, String contentType, String body,
                                      String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void routes_prefixOfARoute_is404NotTheRoute() throws Exception {
        HttpResponse<String> backupNow = send("POST", "/admin/backupNOW", null, null, "Authorization", "Bearer " + TOKEN);
        assertThat(backupNow.statusCode()).isEqualTo(404);
        assertThat(send("GET", "/metrics/db-pool/extra", null, null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/healthz", null, null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/metrics/db-pool", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/health/live", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void body_largerThanTheLimit_is413() throws Exception {
        String big = "{\"text\":\"" + "a".repeat((int) SampleHost.DEFAULT_MAX_BODY_BYTES) + "\"}";
        HttpResponse<String> response = send("POST", "/api/feedback", "application/json", big);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("request body larger than 65536 bytes");
    }

    @Test
    void body_withTheWrongContentType_is415() throws Exception {
        HttpResponse<String> form = send("POST", "/api/feedback", "application/x-www-form-urlencoded", "text=hi");
        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(send("POST", "/api/feedback", null, "{\"text\":\"hi\"}").statusCode()).isEqualTo(415);
        HttpResponse<String> json = send("POST", "/api/feedback", "application/json; charset=utf-8", "{\"text\":\"hi\"}");
        assertThat(json.statusCode()).isNotIn(413, 415, 404);
    }

    @Test
    void maintenance_on_businessAnswers503WithRetryAfter_healthAndAdminPass() throws Exception {
        assertThat(send("POST", "/admin/maintenance?on=true", null, null, "Authorization", "Bearer " + TOKEN)
                .statusCode()).isEqualTo(200);

        HttpResponse<String> feedback = send("POST", "/api/feedback", "application/json", "{\"text\":\"hi\"}");
        assertThat(feedback.statusCode()).isEqualTo(503);
        assertThat(feedback.headers().firstValue("Retry-After")).hasValue("300");
        assertThat(feedback.body()).contains("\"error\":\"maintenance\"");
        assertThat(send("GET", "/", null, null).statusCode()).isEqualTo(503);
        assertThat(send("GET", "/health/live", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/health/ready", null, null).statusCode()).isEqualTo(503);
        assertThat(send("GET", "/metrics", null, null).statusCode()).isEqualTo(200);

        assertThat(send("POST", "/admin/maintenance?on=false", null, null, "Authorization", "Bearer " + TOKEN)
                .statusCode()).isEqualTo(200);
        assertThat(send("GET", "/", null, null).statusCode()).isEqualTo(200);
    }
}
