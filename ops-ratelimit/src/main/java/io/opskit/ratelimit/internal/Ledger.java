package io.opskit.ratelimit.internal;

import io.opskit.api.budget.BudgetStoreException;
import org.jspecify.annotations.Nullable;

/**
 * Where the cost budgets of the hierarchy are counted: in this process ({@link LocalLedger}) or in a
 * shared store ({@link SharedLedger}). A lease reserves its worst case on every line that applies,
 * all or nothing, and is settled once. Settling never throws and never forgets a charge.
 */
interface Ledger extends AutoCloseable {

    /** A line that did not have room. */
    record Refusal(BudgetLine line, PeriodCounter counter, long remainingMicros) {
    }

    /**
     * Reserves the lease's worst case on each of its lines, or on none.
     *
     * @return null when reserved, else the first line that refused
     * @throws BudgetStoreException when a shared store cannot decide (nothing stays reserved)
     */
    @Nullable Refusal reserve(Lease lease, long nowMillis);

    /** Replaces the lease's reservations by {@code costMicros} of spend. */
    void settle(Lease lease, long costMicros, long nowMillis);

    /** Drops the lease's reservations (the call was never charged). */
    void drop(Lease lease);

    /** The lease ended unreported: its reservations stop counting. */
    void expire(Lease lease);

    /** A lease that expired reported {@code costMicros} late: charged to each line's current period. */
    void chargeLate(Lease lease, long costMicros, long nowMillis);

    /** Refreshes the counter's figures (a store read for a shared ledger). */
    void refresh(BudgetLine line, PeriodCounter counter, long nowMillis);

    /** True when a new admission may be accepted (a shared ledger refuses while its backlog is full). */
    default boolean acceptsAdmissions() {
        return true;
    }

    /** Settlements waiting for the store. */
    default int pendingSettlements() {
        return 0;
    }

    /** Tries to deliver what waits now; returns what still waits. */
    default int deliverPending() {
        return 0;
    }

    @Override
    default void close() {
    }
}
