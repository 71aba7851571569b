package io.opskit.ratelimit.internal;

import io.opskit.api.budget.BudgetStore;
import io.opskit.api.notify.Notifier;
import java.time.Clock;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * What every route of one guard shares: time sources, zone, the budget store (null for the
 * in-memory ledger), lease time, notifier and metrics. Immutable apart from the id sequence.
 */
public final class GuardContext {

    final Clock clock;
    final LongSupplier nanoTime;
    final ZoneId zone;
    final @Nullable BudgetStore store;
    final long leaseNanos;
    final Notifier notifier;
    final GuardMetrics metrics;
    final boolean tenantTags;
    final String instanceId;
    final AtomicLong sequence = new AtomicLong();

    /**
     * @param store      the shared store, or null for the allocation-free in-memory ledger
     * @param leaseNanos how long a reservation holds if its call never reports back
     * @param instanceId a unique prefix for reservation ids (at most 40 characters)
     */
    public GuardContext(Clock clock, LongSupplier nanoTime, ZoneId zone, @Nullable BudgetStore store,
                        long leaseNanos, Notifier notifier, GuardMetrics metrics, boolean tenantTags,
                        String instanceId) {
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.zone = zone;
        this.store = store;
        this.leaseNanos = leaseNanos;
        this.notifier = notifier;
        this.metrics = metrics;
        this.tenantTags = tenantTags;
        this.instanceId = instanceId;
    }

    /** The injected nano clock. */
    public long nanoTime() {
        return nanoTime.getAsLong();
    }

    /** The wall clock read at most once a second; between reads it is advanced by the nano clock. */
    private volatile long offsetMillis = Long.MIN_VALUE;
    private volatile long nextSyncNanos;

    /**
     * Wall-clock epoch milliseconds at nano time {@code nowNanos}, for budget periods. Reading the
     * wall clock costs as much as the rest of an admission on some machines, so it is read at most
     * once per second of nano time and advanced by the nano clock in between: a period boundary is
     * seen within the two clocks' drift over one second, and a step of the wall clock within a
     * second. Allocation-free and lock-free; a race only causes an extra read.
     */
    public long wallMillis(long nowNanos) {
        long offset = offsetMillis;
        if (offset == Long.MIN_VALUE || nowNanos - nextSyncNanos >= 0) {
            offset = clock.millis() - Math.floorDiv(nowNanos, 1_000_000L);
            offsetMillis = offset;
            nextSyncNanos = nowNanos + 1_000_000_000L;
        }
        return offset + Math.floorDiv(nowNanos, 1_000_000L);
    }

    /** {@link #wallMillis(long)} now. */
    public long nowMillis() {
        return wallMillis(nanoTime());
    }

    /** The injected wall clock. */
    public Clock clock() {
        return clock;
    }

    /** The metrics sink. */
    public GuardMetrics metrics() {
        return metrics;
    }

    /** True when metrics may carry a tenant tag. */
    public boolean tenantTags() {
        return tenantTags;
    }

    /** The budget store, or null for the in-memory ledger. */
    public @Nullable BudgetStore store() {
        return store;
    }

    String nextReservationId() {
        return instanceId + "-" + sequence.incrementAndGet();
    }
}
