package io.opskit.health.internal;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opskit.api.health.HealthStatus;
import io.opskit.health.StatusPolicy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The engine's Micrometer meters; the only class that touches Micrometer, so hosts without it
 * never load it. Gauge values are {@code HealthStatus.severity()}: 0 UP, 1 DEGRADED, 2 UNKNOWN,
 * 3 OUT_OF_SERVICE, 4 DOWN; UNKNOWN before the first result and for a group without checks (never
 * NaN). Thread-safe.
 */
public final class HealthMeters {

    /** Timer of each run, tag {@code check}. */
    public static final String DURATION = "health.check.duration";
    /** Status gauge per check, tag {@code check}. */
    public static final String CHECK_STATUS = "health.check.status";
    /** Status gauge per group, tag {@code group}. */
    public static final String GROUP_STATUS = "health.group.status";

    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    /**
     * Registers the meters of every check and group.
     *
     * @param registry a {@code MeterRegistry} (typed as Object so the engine need not load Micrometer)
     */
    public HealthMeters(Object registry, List<CheckSlot> slots, Map<String, List<CheckSlot>> groups,
                        StatusPolicy policy) {
        this.registry = (MeterRegistry) registry;
        for (CheckSlot slot : slots) {
            timers.put(slot.name(), Timer.builder(DURATION)
                    .description("Time one run of a health check took (or was waited for, on a timeout)")
                    .tag("check", slot.name())
                    .register(this.registry));
            Gauge.builder(CHECK_STATUS, slot, HealthMeters::severity)
                    .description("Health check status: 0 UP, 1 DEGRADED, 2 UNKNOWN, 3 OUT_OF_SERVICE, 4 DOWN")
                    .tag("check", slot.name())
                    .strongReference(true)
                    .register(this.registry);
        }
        for (Map.Entry<String, List<CheckSlot>> group : groups.entrySet()) {
            List<CheckSlot> members = List.copyOf(group.getValue());
            Gauge.builder(GROUP_STATUS, members, m -> groupSeverity(m, policy))
                    .description("Aggregate status of a health group: 0 UP, 1 DEGRADED, 2 UNKNOWN, "
                            + "3 OUT_OF_SERVICE, 4 DOWN")
                    .tag("group", group.getKey())
                    .strongReference(true) // the member list exists only for this gauge
                    .register(this.registry);
        }
    }

    /** Records one run's duration. */
    public void timed(String check, long nanos) {
        Timer timer = timers.get(check);
        if (timer != null) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    private static double severity(CheckSlot slot) {
        return slot.last().map(r -> r.status()).orElse(HealthStatus.UNKNOWN).severity();
    }

    private static double groupSeverity(List<CheckSlot> members, StatusPolicy policy) {
        if (members.isEmpty()) {
            return HealthStatus.UNKNOWN.severity();
        }
        HealthStatus worst = HealthStatus.UP;
        for (CheckSlot slot : members) {
            HealthStatus status = slot.last().map(r -> r.status()).orElse(HealthStatus.UNKNOWN);
            HealthStatus contribution = policy.contribution(status, slot.critical());
            if (policy.isWorse(contribution, worst)) {
                worst = contribution;
            }
        }
        return worst.severity();
    }
}
