package io.opskit.ratelimit.internal;

/**
 * A weighted per-minute limit as a token bucket in GCRA form (generic cell rate algorithm): its whole
 * state is one {@code long}, the theoretical arrival time, which the caller keeps and moves forward
 * on each admission. Holding {@code perMinute} permits of burst and refilling continuously, it
 * admits at most {@code perMinute + elapsed * perMinute / 60 s} permits over any interval.
 *
 * <p>Why our own and not Resilience4j's or Bucket4j's: the guard checks four limits on every call
 * and must be able to take back permits when a later limit refuses (and charge or refund the
 * difference between estimated and real tokens afterwards). Resilience4j's {@code RateLimiter}
 * works in refresh cycles with no give-back, and Bucket4j's local bucket has neither a cheap refund
 * nor an allocation-free "how long until" on refusal.
 *
 * <p>Immutable; the state lives with the caller ({@link Gate} keeps a route's two arrival times
 * beside its lock, so that four limits cost one atomic instruction and one cache line). Times are
 * nanoseconds from the injected nano clock.
 */
public final class RateLimiter {

    private static final long MINUTE_NANOS = 60_000_000_000L;

    /** What {@link #take} returns for a request larger than a whole minute's permits. */
    public static final long NEVER = Long.MAX_VALUE;

    private final long perMinute;
    private final long intervalNanos;
    private final long burstNanos;

    /**
     * @param perMinute permits per minute; positive
     */
    public RateLimiter(long perMinute) {
        if (perMinute <= 0) {
            throw new IllegalArgumentException("perMinute must be positive: " + perMinute);
        }
        this.perMinute = perMinute;
        // Rounded up: the limiter may admit a hair fewer than configured, never more.
        this.intervalNanos = (MINUTE_NANOS + perMinute - 1) / perMinute;
        this.burstNanos = intervalNanos * perMinute;
    }

    /** The configured permits per minute. */
    public long perMinute() {
        return perMinute;
    }

    /** The arrival time of a full bucket at {@code nowNanos}. */
    public long full(long nowNanos) {
        return nowNanos - burstNanos;
    }

    /**
     * The arrival time after taking {@code permits}: admitted when {@link #waitNanos} of it is 0,
     * and then it is the new state; otherwise the state stays as it was.
     *
     * @return the new arrival time, or {@link #NEVER} when {@code permits} exceeds a minute's worth
     */
    public long take(long arrival, long permits, long nowNanos) {
        if (permits > perMinute) {
            return NEVER;
        }
        return Math.max(arrival, nowNanos - burstNanos) + permits * intervalNanos;
    }

    /**
     * How long until a {@link #take} that returned {@code next} would be admitted.
     *
     * @return 0 when admitted now, {@link #NEVER} for a request no wait admits, else nanoseconds
     */
    public static long waitNanos(long next, long nowNanos) {
        if (next == NEVER) {
            return NEVER;
        }
        return Math.max(0, next - nowNanos);
    }

    /**
     * The arrival time after adjusting by {@code permits}: positive takes more even beyond the burst
     * (real usage above the estimate, so the next calls wait), negative gives back (a call that was
     * refused later, or used less than estimated).
     */
    public long adjust(long arrival, long permits, long nowNanos) {
        if (permits == 0) {
            return arrival;
        }
        // Capped at one minute's worth either way, which also keeps the products inside a long.
        long delta = Math.max(-perMinute, Math.min(perMinute, permits)) * intervalNanos;
        long floor = nowNanos - burstNanos;
        return Math.max(Math.max(arrival, floor) + delta, floor);
    }

    /** Permits available at {@code nowNanos} in a bucket at {@code arrival}, 0 to {@code perMinute}. */
    public long available(long arrival, long nowNanos) {
        long free = nowNanos - Math.max(arrival, nowNanos - burstNanos);
        return Math.max(0, Math.min(perMinute, free / intervalNanos));
    }
}
