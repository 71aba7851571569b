package io.opskit.metrics.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Good and total event counts in a fixed ring of equal time slots, so memory stays fixed whatever
 * the traffic. Recording is lock-free except when a slot is reused for a new period (once per slot
 * per period). Sums read the slots that belong to the requested span.
 */
public final class EventRing {

    private final long slotMillis;
    private final int slots;
    private final AtomicLongArray period;
    private final AtomicLongArray good;
    private final AtomicLongArray total;

    /**
     * @param slotMillis the length of a slot
     * @param slots      how many slots; the ring covers {@code slots * slotMillis}
     */
    public EventRing(long slotMillis, int slots) {
        this.slotMillis = slotMillis;
        this.slots = slots;
        this.period = new AtomicLongArray(slots);
        this.good = new AtomicLongArray(slots);
        this.total = new AtomicLongArray(slots);
        for (int i = 0; i < slots; i++) {
            period.set(i, Long.MIN_VALUE);
        }
    }

    /** Counts one event at {@code nowMillis}. */
    public void record(long nowMillis, boolean isGood) {
        long p = Math.floorDiv(nowMillis, slotMillis);
        int i = (int) Math.floorMod(p, (long) slots);
        if (period.get(i) != p) {
            roll(i, p);
        }
        total.incrementAndGet(i);
        if (isGood) {
            good.incrementAndGet(i);
        }
    }

    private synchronized void roll(int i, long p) {
        if (period.get(i) < p) {
            good.set(i, 0);
            total.set(i, 0);
            period.set(i, p);
        }
    }

    /**
     * Counts the events of the span {@code (nowMillis - spanMillis, nowMillis]}: the current slot up
     * to now, the whole slots before it, and the share of the oldest slot that falls inside the span
     * (events are taken as spread evenly within a slot). So a window always covers exactly
     * {@code spanMillis}, never one slot more or less, as a Prometheus {@code rate()} over a range does.
     *
     * @param spanMillis a multiple of the slot length, at most {@code (slots - 1)} slots
     * @return {good, total}; fractional when the oldest slot is cut
     */
    public double[] sum(long nowMillis, long spanMillis) {
        long p = Math.floorDiv(nowMillis, slotMillis);
        long offset = nowMillis - p * slotMillis;
        int whole = (int) Math.min(slots - 1, Math.max(1, spanMillis / slotMillis));
        double g = 0;
        double t = 0;
        for (int k = 0; k <= whole; k++) {
            long q = p - k;
            int i = (int) Math.floorMod(q, (long) slots);
            if (period.get(i) == q) {
                double share = k < whole ? 1.0 : (double) (slotMillis - offset) / slotMillis;
                g += share * good.get(i);
                t += share * total.get(i);
            }
        }
        return new double[] {g, t};
    }

    /** The bytes of counters this ring holds, for documentation and tests. */
    public long footprintBytes() {
        return 3L * slots * Long.BYTES;
    }
}
