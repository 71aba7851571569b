package io.opskit.jobs;

import io.opskit.api.internal.Checks;
import io.opskit.api.internal.DurationText;
import java.time.Duration;
import java.util.Objects;

/**
 * How a failed attempt of a run is retried: up to {@code maxRetries} more attempts, the first after
 * {@code initialBackoff}, each later one after the previous wait times {@code multiplier}, capped at
 * {@code maxBackoff}. Retries belong to the same run: they hold its lease and count as one run in
 * history and metrics (the outcome is the last attempt's).
 *
 * @param maxRetries     extra attempts after the first, 0 to 100
 * @param initialBackoff wait before the first retry; positive
 * @param multiplier     growth of the wait, 1 to 10
 * @param maxBackoff     longest wait; at least {@code initialBackoff}
 */
public record RetryPolicy(int maxRetries, Duration initialBackoff, double multiplier, Duration maxBackoff) {

    private static final RetryPolicy NONE = new RetryPolicy(0, Duration.ofSeconds(1), 1, Duration.ofSeconds(1));

    /**
     * Validates.
     *
     * @throws IllegalArgumentException naming the field and the value when one is out of range
     */
    public RetryPolicy {
        if (maxRetries < 0 || maxRetries > 100) {
            throw new IllegalArgumentException("maxRetries must be between 0 and 100: " + maxRetries);
        }
        Checks.requirePositive(initialBackoff, "initialBackoff");
        Checks.requireInRange(multiplier, 1, 10, "multiplier");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must be at least initialBackoff " + initialBackoff + ": "
                    + maxBackoff);
        }
    }

    /** @return no retries: a failed attempt fails the run */
    public static RetryPolicy none() {
        return NONE;
    }

    /**
     * {@code retries} retries with exponential backoff from {@code initialBackoff}, doubling, capped at
     * 32 times the initial wait; the health monitor of the issue is {@code exponential(3, 30s)}.
     *
     * @param retries        extra attempts, 0 to 100
     * @param initialBackoff wait before the first retry; positive
     * @return the policy
     */
    public static RetryPolicy exponential(int retries, Duration initialBackoff) {
        Checks.requirePositive(initialBackoff, "initialBackoff");
        return new RetryPolicy(retries, initialBackoff, 2, initialBackoff.multipliedBy(32));
    }

    /**
     * {@code retries} retries, each after the same wait.
     *
     * @param retries extra attempts, 0 to 100
     * @param backoff the wait; positive
     * @return the policy
     */
    public static RetryPolicy fixed(int retries, Duration backoff) {
        return new RetryPolicy(retries, backoff, 1, backoff);
    }

    /**
     * The wait before retry number {@code retry} (1 for the first).
     *
     * @param retry 1 to {@link #maxRetries()}
     * @return the wait
     */
    public Duration backoff(int retry) {
        double nanos = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, retry - 1));
        long capped = nanos >= maxBackoff.toNanos() ? maxBackoff.toNanos() : (long) nanos;
        return Duration.ofNanos(capped);
    }

    @Override
    public String toString() {
        return maxRetries == 0 ? "no retries" : maxRetries + " retries from " + DurationText.format(initialBackoff)
                + (multiplier == 1 ? "" : " x" + multiplier + " up to " + DurationText.format(maxBackoff));
    }
}
