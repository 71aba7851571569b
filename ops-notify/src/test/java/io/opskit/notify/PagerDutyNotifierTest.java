package io.opskit.notify;

import static io.opskit.notify.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PagerDutyNotifierTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12";

    private LoopbackHttpServer server;
    private PagerDutyNotifier pager;

    @BeforeEach
    void start() throws Exception {
        server = new LoopbackHttpServer();
        server.status = () -> 202;
        pager = PagerDutyNotifier.builder().routingKey(KEY).endpoint(server.uri("/v2/enqueue"))
                .link("https://ops.example.com/alerts/{label.alertname}").buildSynchronous();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void notify_firingThenResolved_triggerAndResolveWithSourceAsDedupKey() throws Exception {
        pager.notify(new OpsEvent("alert:pool-usage", "alert.firing", Severity.CRITICAL, "pool usage 91% > 85%",
                Map.of("alertname", "pool-usage", "severity", "critical"), TestEvents.AT));
        pager.notify(new OpsEvent("alert:pool-usage", "alert.resolved", Severity.INFO, "pool usage back to 40%",
                Map.of("alertname", "pool-usage"), TestEvents.AT.plusSeconds(600)));

        assertThat(server.requests).hasSize(2);
        assertThat(server.requests.get(0).path()).isEqualTo("/v2/enqueue");
        JsonNode trigger = JSON.readTree(server.requests.get(0).body());
        assertThat(trigger.get("routing_key").asText()).isEqualTo(KEY);
        assertThat(trigger.get("event_action").asText()).isEqualTo("trigger");
        assertThat(trigger.get("dedup_key").asText()).isEqualTo("alert:pool-usage");
        JsonNode payload = trigger.get("payload");
        assertThat(payload.get("summary").asText()).isEqualTo("pool usage 91% > 85%");
        assertThat(payload.get("severity").asText()).isEqualTo("critical");
        assertThat(payload.get("source").asText()).isEqualTo("alert:pool-usage");
        assertThat(payload.get("timestamp").asText()).isEqualTo("2026-12-01T02:00:00Z");
        assertThat(payload.get("component").asText()).isEqualTo("alert.firing");
        assertThat(payload.get("custom_details").get("alertname").asText()).isEqualTo("pool-usage");
        assertThat(trigger.get("links").get(0).get("href").asText())
                .isEqualTo("https://ops.example.com/alerts/pool-usage");
        JsonNode resolve = JSON.readTree(server.requests.get(1).body());
        assertThat(resolve.get("event_action").asText()).isEqualTo("resolve");
        assertThat(resolve.get("dedup_key").asText()).isEqualTo("alert:pool-usage");
        assertThat(resolve.has("payload")).isFalse();
    }

    @Test
    void notify_backupFailedThenSucceeded_opensAndClosesOneIncident() throws Exception {
        pager.notify(event("backup:app/db", "backup.failed", Severity.CRITICAL, "backup failed"));
        pager.notify(event("backup:app/db", "backup.succeeded", Severity.INFO, "backup ok"));

        assertThat(server.requests).extracting(r -> JSON.readTree(r.body()).get("event_action").asText())
                .containsExactly("trigger", "resolve");
    }

    @Test
    void notify_belowMinSeverityAndNotAResolve_nothingSent() {
        pager.notify(event("budget:openai", "budget.soft_limit", Severity.WARNING, "soft limit crossed"));
        pager.notify(event("alert:x", "alert.pending", Severity.INFO, "pending"));
        assertThat(server.requests).isEmpty();
    }

    @Test
    void notify_rateLimitedOrServerError_transientAndKeyNeverInMessage() {
        server.status = () -> 429;
        assertThatThrownBy(() -> pager.notify(event("backup:app/db", 1)))
                .isInstanceOfSatisfying(NotificationException.class, e -> assertThat(e.isTransient()).isTrue())
                .hasMessageNotContaining(KEY);
        server.status = () -> 400;
        assertThatThrownBy(() -> pager.notify(event("backup:app/db", 1)))
                .isInstanceOfSatisfying(NotificationException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessageNotContaining(KEY);
    }

    @Test
    void notify_canarySecrets_neverReachPagerDuty() {
        pager.notify(TestEvents.canary());
        assertThat(server.requests).singleElement().satisfies(r -> assertThat(r.body())
                .doesNotContain(TestEvents.CANARY_PASSWORD, TestEvents.CANARY_TOKEN));
    }

    @Test
    void builder_badValues_keyNeverRepeated() {
        assertThatThrownBy(() -> PagerDutyNotifier.builder().buildSynchronous())
                .isInstanceOf(IllegalStateException.class).hasMessage("routingKey is required");
        assertThatThrownBy(() -> PagerDutyNotifier.builder().routingKey("has space key"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("has space key")
                .hasMessageContaining("routingKey");
        assertThatThrownBy(() -> PagerDutyNotifier.builder().endpoint(URI.create("mailto:x@y")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("endpoint must be");
        assertThat(PagerDutyNotifier.builder().routingKey(KEY).buildSynchronous().toString())
                .doesNotContain(KEY).contains("events.pagerduty.com");
    }
}
