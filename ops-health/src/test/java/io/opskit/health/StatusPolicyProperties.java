package io.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.health.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class StatusPolicyProperties {

    private static final List<StatusPolicy> POLICIES = List.of(StatusPolicy.defaults(),
            StatusPolicy.defaults().order(HealthStatus.OUT_OF_SERVICE, HealthStatus.DOWN, HealthStatus.DEGRADED,
                    HealthStatus.UNKNOWN, HealthStatus.UP));

    @Property
    void aggregate_anyOrderOfResults_sameStatus(@ForAll("results") List<CheckResult> results,
                                                 @ForAll long seed, @ForAll("policyIndex") int policy) {
        List<CheckResult> shuffled = new ArrayList<>(results);
        Collections.shuffle(shuffled, new Random(seed));

        assertThat(POLICIES.get(policy).aggregate(shuffled)).isEqualTo(POLICIES.get(policy).aggregate(results));
    }

    @Property
    void aggregate_oneCheckGettingWorse_neverImproves(@ForAll("results") List<CheckResult> results,
                                                      @ForAll("statuses") HealthStatus worse,
                                                      @ForAll("policyIndex") int policyIndex) {
        StatusPolicy policy = POLICIES.get(policyIndex);
        if (results.isEmpty()) {
            return;
        }
        CheckResult first = results.get(0);
        if (!policy.isWorse(worse, first.status())) {
            return;
        }
        List<CheckResult> worsened = new ArrayList<>(results);
        worsened.set(0, result(worse, first.critical()));

        HealthStatus before = policy.aggregate(results);
        HealthStatus after = policy.aggregate(worsened);

        assertThat(policy.isWorse(before, after)).as("%s -> %s", before, after).isFalse();
    }

    @Property
    void aggregate_isTheWorstContribution(@ForAll("results") List<CheckResult> results) {
        StatusPolicy policy = StatusPolicy.defaults();
        HealthStatus aggregate = policy.aggregate(results);
        for (CheckResult r : results) {
            assertThat(policy.isWorse(policy.contribution(r.status(), r.critical()), aggregate)).isFalse();
        }
        assertThat(results.isEmpty() || results.stream()
                .anyMatch(r -> policy.contribution(r.status(), r.critical()) == aggregate)
                || aggregate == HealthStatus.UP).isTrue();
    }

    @Test
    void contribution_nonCriticalDown_isDegraded() {
        assertThat(StatusPolicy.defaults().contribution(HealthStatus.DOWN, false)).isEqualTo(HealthStatus.DEGRADED);
        assertThat(StatusPolicy.defaults().contribution(HealthStatus.DOWN, true)).isEqualTo(HealthStatus.DOWN);
        assertThat(StatusPolicy.defaults().aggregate(List.of())).isEqualTo(HealthStatus.UP);
    }

    @Test
    void httpStatus_defaultsAndOverrides() {
        StatusPolicy policy = StatusPolicy.defaults();
        assertThat(policy.httpStatus(HealthStatus.UP)).isEqualTo(200);
        assertThat(policy.httpStatus(HealthStatus.DEGRADED)).isEqualTo(200);
        assertThat(policy.httpStatus(HealthStatus.OUT_OF_SERVICE)).isEqualTo(503);
        assertThat(policy.httpStatus(HealthStatus.DOWN)).isEqualTo(503);
        assertThat(policy.httpStatus(HealthStatus.UNKNOWN, 200).httpStatus(HealthStatus.UNKNOWN)).isEqualTo(200);
        assertThatThrownBy(() -> policy.httpStatus(HealthStatus.DOWN, 99))
                .hasMessage("httpStatus must be between 200 and 599: 99");
        assertThatThrownBy(() -> policy.order(HealthStatus.UP, HealthStatus.DOWN, HealthStatus.DEGRADED,
                HealthStatus.UNKNOWN, HealthStatus.OUT_OF_SERVICE)).hasMessageContaining("order must end with UP");
        assertThatThrownBy(() -> policy.order(HealthStatus.DOWN, HealthStatus.UP))
                .hasMessageContaining("order must name every status exactly once");
    }

    @Provide
    Arbitrary<Integer> policyIndex() {
        return Arbitraries.integers().between(0, POLICIES.size() - 1);
    }

    @Provide
    Arbitrary<HealthStatus> statuses() {
        return Arbitraries.of(HealthStatus.class);
    }

    @Provide
    Arbitrary<List<CheckResult>> results() {
        return Combinators.combine(Arbitraries.of(HealthStatus.class), Arbitraries.of(true, false))
                .as(StatusPolicyProperties::result)
                .list().ofMaxSize(8);
    }

    private static CheckResult result(HealthStatus status, boolean critical) {
        return new CheckResult("c", status, java.util.Optional.empty(), Map.of(), critical, false, false, Duration.ZERO,
                Instant.EPOCH);
    }
}
