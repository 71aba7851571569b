package io.opskit.health;

import io.opskit.api.health.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one check within a {@link HealthReport}, as the engine saw it.
 *
 * <p>Immutable and thread-safe; {@code details} is an unmodifiable map in insertion order.
 *
 * @param name      the registered name
 * @param status    the check's own status (before the critical/non-critical rule is applied)
 * @param message   a one-line explanation without secrets, when the check gave one
 * @param details   small JSON-friendly values from the check; never contains a secret by contract
 * @param critical  whether a failure fails the aggregate (false: it only degrades it)
 * @param timedOut  whether the run passed its timeout or the request's deadline
 * @param stale     whether this is a background result older than its maximum staleness
 * @param duration  how long the run took (for a timeout: how long it was waited for)
 * @param checkedAt when the run finished, from the engine's clock
 */
public record CheckResult(String name, HealthStatus status, Optional<String> message, Map<String, Object> details,
                          boolean critical, boolean timedOut, boolean stale, Duration duration, Instant checkedAt) {

    /** Validates and copies the details. */
    public CheckResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(details, "details");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(checkedAt, "checkedAt");
        details = details.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(details));
    }

    /** The run's duration in whole milliseconds. */
    public long durationMs() {
        return duration.toMillis();
    }
}
