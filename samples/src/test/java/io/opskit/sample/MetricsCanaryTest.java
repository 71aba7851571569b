package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Canary secrets sent to the sample in headers, paths and query strings must never come back in a
 * log line (message or MDC), a metric, a health body or a response header.
 */
class MetricsCanaryTest {

    private static final String BEARER = "canaryBearer7f3a9c2e";
    private static final String API_KEY = "sk-proj-canaryKey4b8d1e6f0a";
    private static final String URL_PASSWORD = "canaryPw93kd";
    private static final List<String> CANARIES = List.of(BEARER, API_KEY, URL_PASSWORD, "canaryKey4b8d1e6f0a");

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void canarySecrets_sentThroughSample_neverReachLogsMetricsOrHealth() throws Exception {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        List<String> surfaces = new ArrayList<>();
        try {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            // A 1 ns slow-request threshold makes every request write a WARN line with its route and id.
            SampleMain.Launch launch = SampleMain.launch(
                    new String[] {"--port", "0", "--data-dir", dataDir.toString()},
                    Map.of("OPSKIT_METRICS_SLOW_REQUEST_MS", "0.000001", "OPSKIT_ADMIN_TOKEN", "admin-" + BEARER),
                    new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
            assertThat(launch.app()).as("sample failed to start: %s", err).isNotNull();
            try (SampleApp app = launch.app()) {
                String base = "http://127.0.0.1:" + app.port();
                String dsn = URLEncoder.encode("postgres://app:" + URL_PASSWORD + "@db.internal/app",
                        StandardCharsets.UTF_8);
                List<String> paths = List.of("/", "/?password=" + URL_PASSWORD + "&token=" + BEARER,
                        "/api/keys/" + API_KEY, "/connect/" + dsn, "/metrics/" + API_KEY, "/health",
                        "/health/ready?api_key=" + API_KEY);
                for (String path : paths) {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
                            .header("Authorization", "Bearer " + BEARER)
                            .header("X-Api-Key", API_KEY)
                            .header("X-Request-Id", API_KEY)
                            .build(), HttpResponse.BodyHandlers.ofString());
                    surfaces.add(String.join(",", response.headers().allValues("X-Request-Id")));
                }
                for (String path : List.of("/metrics", "/metrics/db-pool", "/health", "/health/live", "/health/ready")) {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    surfaces.add(path + " -> " + response.body());
                }
            }
        } finally {
            root.detachAppender(appender);
        }
        List<String> logLines = new ArrayList<>();
        List<ILoggingEvent> events;
        synchronized (appender) {
            events = new ArrayList<>(appender.list);
        }
        for (ILoggingEvent e : events) {
            logLines.add(e.getFormattedMessage() + " " + e.getMDCPropertyMap()
                    + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage()));
        }
        assertThat(logLines).as("slow-request lines were written").anyMatch(l -> l.contains("slow request"));
        assertThat(String.join("\n", surfaces)).contains("http_server_requests_seconds_count");
        for (String canary : CANARIES) {
            assertThat(logLines).as("log lines").noneMatch(l -> l.contains(canary));
            assertThat(surfaces).as("metrics, health bodies and headers").noneMatch(s -> s.contains(canary));
        }
    }
}
