package io.opskit.ratelimit.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A provider-requested pause (HTTP 429 with {@code Retry-After}): until the deadline no call leaves
 * on any thread. Shared by every route of a provider when the guard pauses whole providers.
 * Thread-safe; one volatile read on the hot path.
 */
public final class Pause {

    private final AtomicLong untilNanos = new AtomicLong(Long.MIN_VALUE);
    private volatile boolean ever;

    /** Extends the pause to {@code deadlineNanos} (a pause is never shortened). */
    public void until(long deadlineNanos) {
        ever = true;
        untilNanos.accumulateAndGet(deadlineNanos, (a, b) -> a == Long.MIN_VALUE ? b : (b - a > 0 ? b : a));
    }

    /** Nanoseconds left of the pause at {@code nowNanos}; 0 or less when not paused. */
    public long remaining(long nowNanos) {
        if (!ever) {
            return 0;
        }
        return untilNanos.get() - nowNanos;
    }
}
