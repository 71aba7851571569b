package io.opskit.notify;

import static io.opskit.notify.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookNotifierTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "a-shared-secret-of-32-characters";

    private LoopbackHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = new LoopbackHttpServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static OpsEvent failed() {
        return new OpsEvent("backup:app/db", "backup.failed", Severity.CRITICAL, "backup of db failed: disk full",
                Map.of("repository", "app", "source", "db"), Instant.parse("2026-12-01T02:00:00Z"));
    }

    @Test
    void notify_defaultFormatSigned_receiverVerifiesHmac() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-12-01T02:00:05Z"), ZoneOffset.UTC);
        WebhookNotifier hook = WebhookNotifier.builder().url(server.uri("/hook")).signingSecret(SECRET).clock(clock)
                .link("https://ops.example.com/events?source={source}").buildSynchronous();

        hook.notify(failed());

        LoopbackHttpServer.Request r = server.requests.get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("type").asText()).isEqualTo("backup.failed");
        assertThat(body.get("source").asText()).isEqualTo("backup:app/db");
        assertThat(body.get("severity").asText()).isEqualTo("CRITICAL");
        assertThat(body.get("summary").asText()).isEqualTo("backup of db failed: disk full");
        assertThat(body.get("labels").get("repository").asText()).isEqualTo("app");
        assertThat(body.get("link").asText()).isEqualTo("https://ops.example.com/events?source=backup%3Aapp%2Fdb");
        String timestamp = r.header(WebhookNotifier.TIMESTAMP_HEADER);
        assertThat(timestamp).isEqualTo("1796090405");
        // the receiver's own check, independent of our helper
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal((timestamp + "." + r.body())
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(r.header(WebhookNotifier.SIGNATURE_HEADER)).isEqualTo(expected);
        assertThat(WebhookNotifier.verifySignature(SECRET, timestamp, r.body(), expected)).isTrue();
        assertThat(WebhookNotifier.verifySignature(SECRET, timestamp, r.body() + " ", expected)).isFalse();
        assertThat(WebhookNotifier.verifySignature("another-secret-of-32-characters!", timestamp, r.body(), expected))
                .isFalse();
    }

    @Test
    void notify_slackPreset_postsMrkdwnText() throws Exception {
        WebhookNotifier.builder().url(server.uri("/services/T000/B000/XXX")).slack()
                .link("https://ops.example.com/?s={source}").buildSynchronous()
                .notify(event("health:db", "health.status_changed", Severity.CRITICAL, "db <primary> & replica DOWN"));

        JsonNode body = JSON.readTree(server.requests.get(0).body());
        assertThat(body.fieldNames()).toIterable().containsExactly("text");
        assertThat(body.get("text").asText())
                .startsWith(":red_circle: *CRITICAL health.status_changed* health:db")
                .contains("db &lt;primary&gt; &amp; replica DOWN")
                .contains("`repository` app")
                .endsWith("<https://ops.example.com/?s=health%3Adb|Open>");
    }

    @Test
    void notify_teamsPreset_postsAdaptiveCard() throws Exception {
        WebhookNotifier.builder().url(server.uri("/workflows/x")).teams().buildSynchronous().notify(failed());

        JsonNode body = JSON.readTree(server.requests.get(0).body());
        assertThat(body.get("type").asText()).isEqualTo("message");
        JsonNode attachment = body.get("attachments").get(0);
        assertThat(attachment.get("contentType").asText()).isEqualTo("application/vnd.microsoft.card.adaptive");
        JsonNode card = attachment.get("content");
        assertThat(card.get("type").asText()).isEqualTo("AdaptiveCard");
        assertThat(card.get("body").get(0).get("text").asText()).isEqualTo("CRITICAL backup.failed");
        assertThat(card.get("body").get(0).get("color").asText()).isEqualTo("Attention");
        assertThat(card.get("body").get(1).get("text").asText()).isEqualTo("backup of db failed: disk full");
        assertThat(card.get("body").get(2).get("facts").findValuesAsText("title"))
                .containsExactly("source", "at", "repository");
    }

    @Test
    void notify_hostTemplate_fillsAndEscapesPlaceholders() throws Exception {
        WebhookNotifier.builder().url(server.uri("/t"))
                .template("{\"msg\":\"{severity_lower}: {summary}\",\"repo\":\"{label.repository}\",\"all\":{labels}}")
                .buildSynchronous()
                .notify(event("backup:app/db", "backup.failed", Severity.WARNING, "quote \" and\nnewline"));

        JsonNode body = JSON.readTree(server.requests.get(0).body());
        assertThat(body.get("msg").asText()).isEqualTo("warning: quote \" and\nnewline");
        assertThat(body.get("repo").asText()).isEqualTo("app");
        assertThat(body.get("all").get("repository").asText()).isEqualTo("app");
    }

    @Test
    void notify_receiverAnswers5xxOr4xx_transientOnlyFor5xx() {
        WebhookNotifier hook = WebhookNotifier.builder().url(server.uri("/hook")).buildSynchronous();
        server.status = () -> 503;
        assertThatThrownBy(() -> hook.notify(failed())).isInstanceOfSatisfying(NotificationException.class,
                e -> assertThat(e.isTransient()).isTrue()).hasMessageContaining("HTTP 503");
        server.status = () -> 404;
        assertThatThrownBy(() -> hook.notify(failed())).isInstanceOfSatisfying(NotificationException.class,
                e -> assertThat(e.isTransient()).isFalse()).hasMessageContaining("HTTP 404")
                .hasMessageNotContaining("/hook");
    }

    @Test
    void notify_connectionRefused_transient() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        WebhookNotifier hook = WebhookNotifier.builder().url(URI.create("http://127.0.0.1:" + port + "/secret-path"))
                .buildSynchronous();
        assertThatThrownBy(() -> hook.notify(failed())).isInstanceOfSatisfying(NotificationException.class,
                e -> assertThat(e.isTransient()).isTrue()).hasMessageNotContaining("secret-path");
    }

    @Test
    void build_receiverBrieflyDown_everyEventDeliveredAfterRecovery() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server.status = () -> calls.incrementAndGet() <= 3 ? 503 : 200;
        try (AsyncNotifier hook = WebhookNotifier.builder().url(server.uri("/hook"))
                .delivery(Delivery.builder().backoff(Duration.ofMillis(5), Duration.ofMillis(20)).build()).build()) {
            for (int i = 0; i < 5; i++) {
                hook.notify(event("backup:app/db", i));
            }
            assertThat(server.awaitRequests(8, Duration.ofSeconds(30))).isTrue();
        }
        assertThat(server.requests).hasSize(8);
        assertThat(server.requests.subList(3, 8)).extracting(r -> JSON.readTree(r.body()).get("summary").asText())
                .containsExactly("failure 0", "failure 1", "failure 2", "failure 3", "failure 4");
    }

    @Test
    void notify_canarySecrets_neverReachTheReceiver() {
        try (LogCapture logs = new LogCapture()) {
            for (WebhookNotifier hook : new WebhookNotifier[] {
                    WebhookNotifier.builder().url(server.uri("/a")).buildSynchronous(),
                    WebhookNotifier.builder().url(server.uri("/b")).slack().buildSynchronous(),
                    WebhookNotifier.builder().url(server.uri("/c")).teams().buildSynchronous(),
                    WebhookNotifier.builder().url(server.uri("/d")).template("{\"s\":\"{summary}\",\"l\":{labels}}")
                            .buildSynchronous()}) {
                hook.notify(TestEvents.canary());
            }
            assertThat(server.requests).hasSize(4).allSatisfy(r -> assertThat(r.body())
                    .doesNotContain(TestEvents.CANARY_PASSWORD, TestEvents.CANARY_TOKEN).contains("[REDACTED]"));
            assertThat(String.join("\n", logs.lines()))
                    .doesNotContain(TestEvents.CANARY_PASSWORD, TestEvents.CANARY_TOKEN);
        }
    }

    @Test
    void builder_badValues_messagesNameField() {
        assertThatThrownBy(() -> WebhookNotifier.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("url is required");
        assertThatThrownBy(() -> WebhookNotifier.builder().url(URI.create("ftp://host/x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("url must be an absolute http");
        assertThatThrownBy(() -> WebhookNotifier.builder().slack().teams()).isInstanceOf(IllegalStateException.class)
                .hasMessage("format was already set");
        assertThatThrownBy(() -> WebhookNotifier.builder().template("{\"x\":\"{nope}\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("template has an unknown placeholder {nope}");
        assertThatThrownBy(() -> WebhookNotifier.builder().signingSecret("short"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("signingSecret must have at least 16 characters: 5");
        assertThatThrownBy(() -> WebhookNotifier.builder().timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout").hasMessageContaining("PT0S");
    }
}
