package io.opskit.health;

import io.opskit.api.health.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to one health request: the aggregate status of a group (or of every check), the HTTP
 * status code the engine's {@link StatusPolicy} maps it to, and each check's result in
 * registration order.
 *
 * <p>Immutable and thread-safe.
 *
 * @param group      the group asked for, or empty for every registered check
 * @param status     the aggregate status
 * @param httpStatus the HTTP status code for {@code status} (200 or 503 by default)
 * @param checks     each check's result, in registration order
 * @param checkedAt  when the request was answered
 * @param duration   how long the request took
 */
public record HealthReport(Optional<String> group, HealthStatus status, int httpStatus, List<CheckResult> checks,
                           Instant checkedAt, Duration duration) {

    /** Validates and copies. */
    public HealthReport {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(checks, "checks");
        checks = List.copyOf(checks);
        Objects.requireNonNull(checkedAt, "checkedAt");
        Objects.requireNonNull(duration, "duration");
    }

    /**
     * The result of one check by name.
     *
     * @param name the registered name
     * @return the result, or empty when the check is not part of this report
     */
    public Optional<CheckResult> check(String name) {
        for (CheckResult result : checks) {
            if (result.name().equals(name)) {
                return Optional.of(result);
            }
        }
        return Optional.empty();
    }

    /** The request's duration in whole milliseconds. */
    public long durationMs() {
        return duration.toMillis();
    }
}
