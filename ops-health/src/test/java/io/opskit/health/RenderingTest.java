package io.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opskit.api.health.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RenderingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-03-01T08:00:00Z");

    private final HealthReport report = new HealthReport(Optional.of("readiness"), HealthStatus.DEGRADED, 200, List.of(
            new CheckResult("database", HealthStatus.UP, Optional.of("Connected (15.2 MiB)"),
                    details("sizeBytes", 15_938_355L, "tables", List.of("notes", "users")), true, false, false,
                    Duration.ofMillis(12), AT),
            new CheckResult("email", HealthStatus.DOWN, Optional.of("SMTP greeting failed"), Map.of("port", 25), false, true,
                    false, Duration.ofMillis(5_000), AT)),
            AT, Duration.ofMillis(5_003));

    private static Map<String, Object> details(Object... kv) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put((String) kv[i], kv[i + 1]);
        }
        return map;
    }

    @Test
    void opskit_withDetails_hasEveryField() throws Exception {
        JsonNode json = JSON.readTree(HealthFormat.OPSKIT.render(report, true));

        assertThat(json.path("status").asText()).isEqualTo("DEGRADED");
        assertThat(json.path("group").asText()).isEqualTo("readiness");
        assertThat(json.path("durationMs").asLong()).isEqualTo(5_003);
        JsonNode db = json.path("checks").path("database");
        assertThat(db.path("status").asText()).isEqualTo("UP");
        assertThat(db.path("message").asText()).isEqualTo("Connected (15.2 MiB)");
        assertThat(db.path("critical").asBoolean()).isTrue();
        assertThat(db.path("timedOut").asBoolean()).isFalse();
        assertThat(db.path("stale").asBoolean()).isFalse();
        assertThat(db.path("durationMs").asLong()).isEqualTo(12);
        assertThat(db.path("checkedAt").asText()).isEqualTo("2026-03-01T08:00:00Z");
        assertThat(db.path("details").path("sizeBytes").asLong()).isEqualTo(15_938_355L);
        assertThat(db.path("details").path("tables").get(1).asText()).isEqualTo("users");
        assertThat(json.path("checks").path("email").path("timedOut").asBoolean()).isTrue();
    }

    @Test
    void opskit_withoutDetails_showsOnlyTheAggregate() throws Exception {
        JsonNode json = JSON.readTree(HealthFormat.OPSKIT.render(report, false));

        assertThat(json.size()).isEqualTo(1);
        assertThat(json.path("status").asText()).isEqualTo("DEGRADED");
    }

    @Test
    void microProfile_withDetails_usesUpDownAndData() throws Exception {
        JsonNode json = JSON.readTree(HealthFormat.MICROPROFILE.render(report, true));

        assertThat(json.path("status").asText()).isEqualTo("UP");
        assertThat(json.path("checks")).hasSize(2);
        assertThat(json.path("checks").get(0).path("name").asText()).isEqualTo("database");
        assertThat(json.path("checks").get(1).path("status").asText()).isEqualTo("DOWN");
        assertThat(json.path("checks").get(1).path("data").path("port").asInt()).isEqualTo(25);
        assertThat(JSON.readTree(HealthFormat.MICROPROFILE.render(report, false)).path("checks")).isEmpty();
    }

    @Test
    void textReport_marksEachCheck_verboseAddsDetails() {
        String text = HealthTextReport.render(report, false);
        assertThat(text).isEqualTo("✓ database: Connected (15.2 MiB)\n"
                + "✗ email: SMTP greeting failed [timed out]\n"
                + "Overall: DEGRADED\n");

        String verbose = HealthTextReport.render(report, true);
        assertThat(verbose).contains("✓ database: Connected (15.2 MiB)\n    sizeBytes: 15938355\n")
                .contains("    took 5000 ms, non-critical\n");
    }
}
