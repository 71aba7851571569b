package io.opskit.ratelimit.internal;

import io.opskit.api.Usd;
import io.opskit.api.budget.Admission;
import io.opskit.api.budget.BudgetStore;
import io.opskit.api.budget.BudgetStoreException;
import io.opskit.api.budget.BudgetUsage;
import java.time.Clock;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Budgets counted in a shared {@link BudgetStore}, so that every replica obeys one limit. A lease
 * reserves its worst case line by line (one conditional write each); a refusal or failure on a
 * later line releases the earlier ones. Settlements go through a {@link SettlementQueue}, so a
 * store that fails at that moment delays the charge and never drops it. The counters hold the
 * figures the store last reported, for gauges and health. Thread-safe.
 */
final class SharedLedger implements Ledger {

    private static final Logger log = LoggerFactory.getLogger(SharedLedger.class);

    private final BudgetStore store;
    private final BudgetEvents events;
    private final SettlementQueue queue;
    private final Clock clock;

    SharedLedger(BudgetStore store, BudgetEvents events, Clock clock, int backlog) {
        this.store = store;
        this.events = events;
        this.clock = clock;
        this.queue = new SettlementQueue(store, clock, backlog);
    }

    @Override
    public @Nullable Refusal reserve(Lease lease, long nowMillis) {
        Instant now = Instant.ofEpochMilli(nowMillis);
        Instant until = Instant.ofEpochMilli(lease.leaseUntilMillis);
        for (int i = 0; i < lease.lines.length; i++) {
            BudgetLine line = lease.lines[i];
            PeriodCounter c = line.at(nowMillis);
            lease.counters[i] = c;
            Admission a;
            try {
                a = store.reserve(c.key, lease.reservationId(i), lease.worstMicros, line.hardMicros, now, until);
            } catch (RuntimeException e) {
                releaseUpTo(lease, i + 1); // the failed one too: it may have been recorded
                throw e instanceof BudgetStoreException bse ? bse
                        : new BudgetStoreException("budget store failed to reserve: " + e, e);
            }
            c.spent = a.spentMicros();
            c.reserved = a.reservedMicros();
            if (!a.admitted()) {
                releaseUpTo(lease, i);
                events.refused(line, c, lease.worstMicros, a.remainingMicros());
                return new Refusal(line, c, a.remainingMicros());
            }
        }
        return null;
    }

    private void releaseUpTo(Lease lease, int n) {
        for (int j = 0; j < n; j++) {
            queue.submit(new SettlementQueue.Release(lease.counters[j].key, lease.reservationId(j),
                    lease.leaseUntilMillis));
        }
    }

    @Override
    public void settle(Lease lease, long costMicros, long nowMillis) {
        for (int i = 0; i < lease.lines.length; i++) {
            PeriodCounter c = lease.counters[i];
            queue.submit(new SettlementQueue.Reconcile(c.key, lease.reservationId(i), costMicros,
                    lease.leaseUntilMillis));
            long spent = LocalLedger.saturatedAdd(c.spent, costMicros);
            c.spent = spent;
            events.spent(lease.lines[i], c, spent);
        }
    }

    @Override
    public void drop(Lease lease) {
        releaseUpTo(lease, lease.lines.length);
    }

    @Override
    public void expire(Lease lease) {
        // The store stops counting the reservation at its lease end by itself.
    }

    @Override
    public void chargeLate(Lease lease, long costMicros, long nowMillis) {
        if (costMicros == 0) {
            return;
        }
        log.debug("late report of {} charged on {} lines", Usd.ofMicros(costMicros), lease.lines.length);
        for (int i = 0; i < lease.lines.length; i++) {
            PeriodCounter c = lease.lines[i].at(nowMillis);
            queue.submit(new SettlementQueue.LateCharge(c.key, lease.reservationId(i) + "-late", costMicros,
                    Long.MAX_VALUE));
            long spent = LocalLedger.saturatedAdd(c.spent, costMicros);
            c.spent = spent;
            events.spent(lease.lines[i], c, spent);
        }
    }

    @Override
    public void refresh(BudgetLine line, PeriodCounter counter, long nowMillis) {
        BudgetUsage u = store.usage(counter.key, Instant.ofEpochMilli(nowMillis));
        counter.spent = u.spentMicros();
        counter.reserved = u.reservedMicros();
    }

    @Override
    public boolean acceptsAdmissions() {
        return !queue.full();
    }

    @Override
    public int pendingSettlements() {
        return queue.size();
    }

    @Override
    public int deliverPending() {
        return queue.deliverPending();
    }

    @Override
    public void close() {
        int left = queue.deliverPending();
        queue.close();
        if (left > 0) {
            log.warn("AI guard closed with {} settlements the budget store did not take ({} of spend); their "
                    + "reservations free at their lease end", left, Usd.ofMicros(queue.undeliveredMicros()));
        }
    }

    Clock clock() {
        return clock;
    }
}
