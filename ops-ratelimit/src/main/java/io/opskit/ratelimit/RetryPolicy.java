package io.opskit.ratelimit;

import io.opskit.api.internal.Checks;
import java.time.Duration;
import java.util.Objects;

/**
 * How a guarded call retries: at most {@code maxAttempts} attempts in all (retries and fallbacks
 * share this one budget) within {@code maxElapsed}, with exponential backoff from
 * {@code initialBackoff} up to {@code maxBackoff} and "equal jitter" (each wait is drawn between
 * half and all of the backoff) so clients do not retry in lockstep. A provider's
 * {@code Retry-After} replaces the backoff when it is longer.
 *
 * @param maxAttempts    attempts per call, 1 to 20
 * @param initialBackoff the first wait; positive
 * @param maxBackoff     the longest wait; at least {@code initialBackoff}
 * @param maxElapsed     the whole call's time budget, waits included; positive
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxElapsed) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException naming the field and value when out of range
     */
    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxElapsed, "maxElapsed");
        if (maxAttempts < 1 || maxAttempts > 20) {
            throw new IllegalArgumentException("maxAttempts must be 1 to 20: " + maxAttempts);
        }
        Checks.requirePositive(initialBackoff, "initialBackoff");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must be at least initialBackoff: " + maxBackoff);
        }
        Checks.requirePositive(maxElapsed, "maxElapsed");
    }

    /** 3 attempts, backoff 0.5 s doubling to 8 s, 60 s for the whole call. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(60));
    }

    /** One attempt, no retry (fallbacks still apply when the first model refuses before sending). */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(60));
    }

    /**
     * The backoff before retry number {@code retry} (1 for the first retry), jittered.
     *
     * @param retry  the retry number, 1 or more
     * @param jitter a number in [0, 1)
     * @return the wait, between half and all of the exponential backoff
     */
    public Duration backoff(int retry, double jitter) {
        long base = initialBackoff.toNanos();
        long cap = maxBackoff.toNanos();
        long b = base;
        for (int i = 1; i < retry && b < cap; i++) {
            b = Math.min(cap, b * 2);
        }
        b = Math.min(cap, b);
        return Duration.ofNanos(b / 2 + (long) (b / 2d * jitter));
    }
}
