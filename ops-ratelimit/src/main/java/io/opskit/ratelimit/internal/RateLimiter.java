package io.opskit.ratelimit.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A weighted per-minute limit as a token bucket in GCRA form (generic cell rate algorithm): one
 * {@code long}, the theoretical arrival time, moved forward by a CAS. Holding {@code perMinute}
 * permits of burst and refilling continuously, it admits at most
 * {@code perMinute + elapsed * perMinute / 60 s} permits over any interval.
 *
 * <p>Why our own and not Resilience4j's or Bucket4j's: the guard checks four limits on every call
 * and must be able to take back permits when a later limit refuses (and charge or refund the
 * difference between estimated and real tokens afterwards). Resilience4j's {@code RateLimiter}
 * works in refresh cycles with no give-back, and Bucket4j's local bucket has neither a cheap refund
 * nor an allocation-free "how long until" on refusal. This is one field and one CAS, with no lock
 * and no allocation.
 *
 * <p>Thread-safe. Times are nanoseconds from the injected nano clock.
 */
public final class RateLimiter {

    private static final long MINUTE_NANOS = 60_000_000_000L;

    private final long perMinute;
    private final long intervalNanos;
    private final long burstNanos;
    private final AtomicLong arrival;

    /**
     * @param perMinute permits per minute; positive
     * @param nowNanos  the current nano time (the bucket starts full)
     */
    public RateLimiter(long perMinute, long nowNanos) {
        if (perMinute <= 0) {
            throw new IllegalArgumentException("perMinute must be positive: " + perMinute);
        }
        this.perMinute = perMinute;
        // Rounded up: the limiter may admit a hair fewer than configured, never more.
        this.intervalNanos = (MINUTE_NANOS + perMinute - 1) / perMinute;
        this.burstNanos = intervalNanos * perMinute;
        this.arrival = new AtomicLong(nowNanos - burstNanos);
    }

    /** The configured permits per minute. */
    public long perMinute() {
        return perMinute;
    }

    /**
     * Takes {@code permits} if the bucket holds them.
     *
     * @return 0 when taken; otherwise the nanoseconds until they would be (nothing is taken)
     */
    public long tryAcquire(long permits, long nowNanos) {
        if (permits > perMinute) {
            return Long.MAX_VALUE;
        }
        long cost = permits * intervalNanos;
        for (;;) {
            long tat = arrival.get();
            long start = Math.max(tat, nowNanos - burstNanos);
            long next = start + cost;
            long wait = next - nowNanos;
            if (wait > 0) {
                return wait;
            }
            if (arrival.compareAndSet(tat, next)) {
                return 0;
            }
        }
    }

    /**
     * Adjusts by {@code permits}: positive takes more even beyond the burst (real usage above the
     * estimate, so the next calls wait), negative gives back (a call that was refused later, or used
     * less than estimated).
     */
    public void adjust(long permits, long nowNanos) {
        if (permits == 0) {
            return;
        }
        // Capped at one minute's worth either way, which also keeps the products inside a long.
        long delta = Math.max(-perMinute, Math.min(perMinute, permits)) * intervalNanos;
        for (;;) {
            long tat = arrival.get();
            long floor = nowNanos - burstNanos;
            long next = Math.max(tat, floor) + delta;
            if (next < floor) {
                next = floor;
            }
            if (arrival.compareAndSet(tat, next)) {
                return;
            }
        }
    }

    /** Permits available now, 0 to {@code perMinute}. */
    public long available(long nowNanos) {
        long free = nowNanos - Math.max(arrival.get(), nowNanos - burstNanos);
        return Math.max(0, Math.min(perMinute, free / intervalNanos));
    }
}
