package io.opskit.ratelimit.internal;

/**
 * A weighted per-minute limit (requests or tokens) as a token bucket in GCRA form whose burst is a
 * fraction of the minute, so that a sliding window cannot see two minutes' worth.
 *
 * <p>The bucket holds {@code burst} permits and refills at {@code perMinute} per 60 s; it starts
 * full with {@code burst} permits, not a whole minute's. Over any interval of length {@code T} it
 * admits at most {@code burst + T * perMinute / 60 s} permits, so in any 60 s window at most
 * {@code perMinute + burst}. A single request larger than the burst (a long prompt against a
 * tokens-per-minute limit) is admitted only when the bucket is full, and then the bound is
 * {@code perMinute + that request}; a request above a whole minute's worth is never admitted.
 *
 * <p>Not thread-safe: the owning {@link Route} calls it under its lock. Times are nanoseconds of the
 * guard's ticker.
 */
final class RateWindow {

    private static final long MINUTE_NANOS = 60_000_000_000L;

    /** What {@link #tryTake} returns for a request larger than a whole minute's permits. */
    static final long NEVER = Long.MAX_VALUE;

    private final long perMinute;
    private final long burst;
    private final long intervalNanos;
    private final long toleranceNanos;
    /** The theoretical arrival time: the bucket is full when it is at or before now. */
    private long tat;

    /**
     * @param perMinute permits per minute; positive
     * @param burst     permits admitted at once on top of the steady rate; 1 to {@code perMinute}
     * @param nowNanos  the ticker now (the bucket starts full)
     */
    RateWindow(long perMinute, long burst, long nowNanos) {
        if (perMinute <= 0) {
            throw new IllegalArgumentException("perMinute must be positive: " + perMinute);
        }
        if (burst < 1 || burst > perMinute) {
            throw new IllegalArgumentException("burst must be 1 to " + perMinute + ": " + burst);
        }
        this.perMinute = perMinute;
        this.burst = burst;
        // Rounded up: the window admits a hair fewer than configured, never more.
        this.intervalNanos = (MINUTE_NANOS + perMinute - 1) / perMinute;
        this.toleranceNanos = burst * intervalNanos;
        this.tat = nowNanos;
    }

    /** The default burst: a tenth of the minute's permits, at least one. */
    static long defaultBurst(long perMinute) {
        return Math.max(1, perMinute / 10);
    }

    long perMinute() {
        return perMinute;
    }

    long burst() {
        return burst;
    }

    /**
     * Takes {@code permits} or nothing.
     *
     * @return 0 when taken; otherwise how long until the same request would be admitted,
     *         nanoseconds, or {@link #NEVER} when it exceeds a whole minute's worth
     */
    long tryTake(long permits, long nowNanos) {
        if (permits > perMinute) {
            return NEVER;
        }
        long start = Math.max(tat, nowNanos);
        long next = start + permits * intervalNanos;
        if (next - nowNanos <= toleranceNanos) {
            tat = next;
            return 0;
        }
        if (permits > burst) { // larger than the bucket: only into a full one
            if (tat - nowNanos <= 0) {
                tat = next;
                return 0;
            }
            return tat - nowNanos;
        }
        return next - nowNanos - toleranceNanos;
    }

    /** Gives back permits taken for a request the provider never saw (or tokens it did not use). */
    void giveBack(long permits, long nowNanos) {
        if (permits <= 0) {
            return;
        }
        long delta = Math.min(permits, perMinute) * intervalNanos;
        tat = Math.max(tat - delta, nowNanos);
    }

    /** Charges permits beyond what was taken (a call that used more tokens than its estimate). */
    void charge(long permits, long nowNanos) {
        if (permits <= 0) {
            return;
        }
        tat = Math.max(tat, nowNanos) + Math.min(permits, perMinute) * intervalNanos;
    }

    /** Permits a request could take now, 0 to {@code burst}. */
    long available(long nowNanos) {
        long used = Math.max(0, tat - nowNanos);
        return Math.max(0, (toleranceNanos - used) / intervalNanos);
    }
}
