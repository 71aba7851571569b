package io.opskit.ratelimit.internal;

import org.jspecify.annotations.Nullable;

/**
 * The in-memory ledger: budgets counted in this process only. All lines are decided under one lock,
 * held for a few additions, so a call is admitted on every line of the hierarchy or on none.
 * Thread-safe.
 */
final class LocalLedger implements Ledger {

    private final BudgetEvents events;
    private final Object lock = new Object();

    LocalLedger(BudgetEvents events) {
        this.events = events;
    }

    @Override
    public @Nullable Refusal reserve(Lease lease, long nowMillis) {
        long amount = lease.worstMicros;
        Refusal refusal = null;
        synchronized (lock) {
            for (int i = 0; i < lease.lines.length; i++) {
                BudgetLine line = lease.lines[i];
                PeriodCounter c = line.at(nowMillis);
                long remaining = line.hardMicros - c.spent - c.reserved;
                if (amount > remaining) {
                    refusal = new Refusal(line, c, Math.max(0, remaining));
                    break;
                }
            }
            if (refusal == null) {
                for (int i = 0; i < lease.lines.length; i++) {
                    PeriodCounter c = lease.lines[i].at(nowMillis);
                    c.reserved += amount;
                    lease.counters[i] = c;
                }
            }
        }
        if (refusal != null) {
            events.refused(refusal.line(), refusal.counter(), amount, refusal.remainingMicros());
        }
        return refusal;
    }

    @Override
    public void settle(Lease lease, long costMicros, long nowMillis) {
        long[] spent = new long[lease.lines.length];
        synchronized (lock) {
            for (int i = 0; i < lease.lines.length; i++) {
                PeriodCounter c = lease.counters[i];
                c.reserved -= lease.worstMicros;
                c.spent = saturatedAdd(c.spent, costMicros);
                spent[i] = c.spent;
            }
        }
        for (int i = 0; i < lease.lines.length; i++) {
            events.spent(lease.lines[i], lease.counters[i], spent[i]);
        }
    }

    @Override
    public void drop(Lease lease) {
        synchronized (lock) {
            for (int i = 0; i < lease.lines.length; i++) {
                lease.counters[i].reserved -= lease.worstMicros;
            }
        }
    }

    @Override
    public void expire(Lease lease) {
        drop(lease);
    }

    @Override
    public void chargeLate(Lease lease, long costMicros, long nowMillis) {
        if (costMicros == 0) {
            return;
        }
        PeriodCounter[] now = new PeriodCounter[lease.lines.length];
        long[] spent = new long[lease.lines.length];
        synchronized (lock) {
            for (int i = 0; i < lease.lines.length; i++) {
                PeriodCounter c = lease.lines[i].at(nowMillis);
                c.spent = saturatedAdd(c.spent, costMicros);
                now[i] = c;
                spent[i] = c.spent;
            }
        }
        for (int i = 0; i < lease.lines.length; i++) {
            events.spent(lease.lines[i], now[i], spent[i]);
        }
    }

    @Override
    public void refresh(BudgetLine line, PeriodCounter counter, long nowMillis) {
        // the counters are the truth
    }

    static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
