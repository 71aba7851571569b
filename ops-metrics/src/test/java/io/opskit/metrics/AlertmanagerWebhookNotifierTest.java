package io.opskit.metrics;

import io.opskit.api.Threshold;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlertmanagerWebhookNotifierTest {

    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final ObjectMapper json = new ObjectMapper();
    private HttpServer server;
    private volatile int answer = 200;

    @BeforeEach
    void startReceiver() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/webhook", exchange -> {
            received.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Content-Type")
                    + "\n" + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopReceiver() {
        server.stop(0);
    }

    private URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/webhook");
    }

    private static OpsEvent event(String type, Instant at) {
        return new OpsEvent("alert:DbPoolPressure", type, Severity.CRITICAL,
                "DB pool usage above 85 % token=abc123secret",
                Map.of("alertname", "DbPoolPressure", "severity", "critical"), at);
    }

    @Test
    void send_firingThenResolved_postsAlertmanagerJson() throws Exception {
        AlertmanagerWebhookNotifier notifier = AlertmanagerWebhookNotifier.to(endpoint());
        Instant start = Instant.parse("2026-03-01T10:00:00Z");
        assertThat(notifier.send(event(AlertEvaluator.FIRING, start)).get(10, TimeUnit.SECONDS)).isEqualTo(200);
        String first = received.poll(10, TimeUnit.SECONDS);
        assertThat(first).startsWith("POST application/json");
        JsonNode firing = json.readTree(first.substring(first.indexOf('\n') + 1));
        assertThat(firing.get("version").asText()).isEqualTo("4");
        assertThat(firing.get("status").asText()).isEqualTo("firing");
        assertThat(firing.get("receiver").asText()).isEqualTo("opskit");
        JsonNode alert = firing.get("alerts").get(0);
        assertThat(alert.get("labels").get("alertname").asText()).isEqualTo("DbPoolPressure");
        assertThat(alert.get("startsAt").asText()).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(alert.get("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(alert.get("annotations").get("summary").asText()).contains("DB pool usage")
                .doesNotContain("abc123secret");

        notifier.send(event(AlertEvaluator.RESOLVED, start.plus(Duration.ofMinutes(7)))).get(10, TimeUnit.SECONDS);
        String second = received.poll(10, TimeUnit.SECONDS);
        JsonNode resolved = json.readTree(second.substring(second.indexOf('\n') + 1));
        assertThat(resolved.get("status").asText()).isEqualTo("resolved");
        assertThat(resolved.get("alerts").get(0).get("startsAt").asText()).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(resolved.get("alerts").get(0).get("endsAt").asText()).isEqualTo("2026-03-01T10:07:00Z");
        assertThat(resolved.get("alerts").get(0).get("fingerprint").asText())
                .isEqualTo(alert.get("fingerprint").asText());
    }

    @Test
    void send_nonAlertEvent_ignored() throws Exception {
        AlertmanagerWebhookNotifier notifier = AlertmanagerWebhookNotifier.to(endpoint());
        assertThat(notifier.send(event(AlertEvaluator.PENDING, Instant.now())).get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void send_receiverAnswers500_reportsFailureAndWarnsOnce() throws Exception {
        answer = 500;
        AlertmanagerWebhookNotifier notifier = AlertmanagerWebhookNotifier.to(endpoint());
        try (LogCapture logs = new LogCapture()) {
            assertThat(notifier.send(event(AlertEvaluator.FIRING, Instant.now())).get(10, TimeUnit.SECONDS)).isEqualTo(-1);
            assertThat(notifier.send(event(AlertEvaluator.FIRING, Instant.now())).get(10, TimeUnit.SECONDS)).isEqualTo(-1);
            assertThat(logs.lines()).filteredOn(l -> l.startsWith("WARN") && l.contains("webhook")).hasSize(1);
        }
    }

    @Test
    void evaluator_withWebhook_deliversFiring() throws Exception {
        SloTrackerTest.StepClock clock = new SloTrackerTest.StepClock();
        AlertEvaluator alerts = AlertEvaluator.builder().clock(clock)
                .notifier(AlertmanagerWebhookNotifier.to(endpoint()))
                .rule(AlertRule.builder("HighErrorRatio").source(() -> 0.05).when(Threshold.above(0.02, 0.02))
                        .build())
                .build();
        alerts.evaluate();
        String body = received.poll(10, TimeUnit.SECONDS);
        assertThat(body).contains("\"status\":\"firing\"").contains("HighErrorRatio");
    }

    @Test
    void to_badEndpoint_namesIt() {
        assertThatThrownBy(() -> AlertmanagerWebhookNotifier.to(URI.create("ftp://u:secretpw@host/x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("endpoint must be an http or https URI: ftp://u:")
                .hasMessageNotContaining("secretpw");
    }
}
