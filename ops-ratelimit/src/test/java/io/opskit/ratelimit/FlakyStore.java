package io.opskit.ratelimit;

import io.opskit.api.budget.Admission;
import io.opskit.api.budget.BudgetKey;
import io.opskit.api.budget.BudgetStore;
import io.opskit.api.budget.BudgetStoreException;
import io.opskit.api.budget.BudgetUsage;
import java.time.Instant;

/** A budget store that fails every operation while {@link #down} is set, like a revoked grant. */
final class FlakyStore implements BudgetStore {

    private final BudgetStore delegate;
    volatile boolean down;

    FlakyStore(BudgetStore delegate) {
        this.delegate = delegate;
    }

    private void check(String op) {
        if (down) {
            throw new BudgetStoreException("test store is down (" + op + ")", null);
        }
    }

    @Override
    public Admission reserve(BudgetKey key, String reservationId, long amountMicros, long limitMicros, Instant now,
                             Instant leaseUntil) {
        check("reserve");
        return delegate.reserve(key, reservationId, amountMicros, limitMicros, now, leaseUntil);
    }

    @Override
    public void reconcile(BudgetKey key, String reservationId, long actualMicros, Instant now) {
        check("reconcile");
        delegate.reconcile(key, reservationId, actualMicros, now);
    }

    @Override
    public void release(BudgetKey key, String reservationId) {
        check("release");
        delegate.release(key, reservationId);
    }

    @Override
    public BudgetUsage usage(BudgetKey key, Instant now) {
        check("usage");
        return delegate.usage(key, now);
    }
}
