package io.opskit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.budget.Admission;
import io.opskit.api.budget.BudgetKey;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.health.Probe;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContractTypesTest {

    @Test
    void healthResult_builder_keepsDetailOrderAndIsImmutable() {
        HealthResult r = HealthResult.builder(HealthStatus.UP)
                .message("connected")
                .detail("sizeBytes", 15_200_000L)
                .detail("database", "sqlite")
                .build();
        assertThat(r.details().keySet()).containsExactly("sizeBytes", "database");
        assertThatThrownBy(() -> r.details().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        HealthResult worse = r.withStatus(HealthStatus.DEGRADED).withDetail("note", "slow");
        assertThat(worse.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(r.status()).isEqualTo(HealthStatus.UP);
        assertThat(worse.details()).containsEntry("note", "slow").hasSize(3);
    }

    @Test
    void healthStatus_worst_followsDefaultOrder() {
        assertThat(HealthStatus.UP.worst(HealthStatus.DEGRADED)).isEqualTo(HealthStatus.DEGRADED);
        assertThat(HealthStatus.DOWN.worst(HealthStatus.OUT_OF_SERVICE)).isEqualTo(HealthStatus.DOWN);
        assertThat(Probe.READINESS.groupName()).isEqualTo("readiness");
    }

    @Test
    void opsEvent_copiesLabels_andRejectsBlankSource() {
        Map<String, String> labels = new HashMap<>(Map.of("check", "db"));
        OpsEvent e = new OpsEvent("health:db", "health.status_changed", Severity.CRITICAL, "db is DOWN",
                labels, Instant.EPOCH);
        labels.put("later", "x");
        assertThat(e.labels()).containsOnlyKeys("check");
        assertThatThrownBy(() -> new OpsEvent(" ", "t", Severity.INFO, "s", Map.of(), Instant.EPOCH))
                .hasMessage("source must not be blank: ' '");
    }

    @Test
    void budgetKey_rejectsControlCharacters_andAdmissionNeverNegative() {
        assertThatThrownBy(() -> new BudgetKey("openai/gpt-4o\n", "2026-11-21"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("scope must be 1 to 200 printable characters");
        assertThat(new Admission(false, 90, 20, 100).remainingMicros()).isZero();
        assertThat(new Admission(true, 10, 20, 100).remainingMicros()).isEqualTo(70);
    }
}
