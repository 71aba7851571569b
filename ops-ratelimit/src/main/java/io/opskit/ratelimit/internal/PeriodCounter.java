package io.opskit.ratelimit.internal;

import io.opskit.api.budget.BudgetKey;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One budget in one calendar period: its key, its bounds in epoch milliseconds, and (for the
 * in-memory ledger) what is spent and held. A new period is a new counter, so nothing is ever
 * reset. Thread-safe: {@code used} is guarded by the route's gate, the other counts are atomics or
 * volatile,
 * the rest is final.
 */
public final class PeriodCounter {

    /** The budget and period, as a {@code BudgetStore} knows them. */
    public final BudgetKey key;
    /** First millisecond of the period (inclusive). */
    public final long startMillis;
    /** First millisecond after the period (exclusive). */
    public final long endMillis;
    /**
     * Spent plus held, micro-USD (in-memory ledger); the last value a store reported otherwise.
     * Guarded by the owning route's gate. While this is the current period of one of the model's
     * own lines, the count lives in the gate instead and is written back here when the period ends.
     */
    final PaddedLong used = new PaddedLong();
    /**
     * Set, once, when {@link #used} first reaches the soft limit: until then no call can have
     * crossed it (spend never exceeds what is used), so ending a call need not look.
     */
    volatile boolean nearSoft;
    /** Reconciled spend as a shared store last reported it (the in-memory ledger derives spend from the slots). */
    final AtomicLong spent = new AtomicLong();
    /** Set once the soft-limit warning for this period was sent. */
    final AtomicBoolean softWarned = new AtomicBoolean();
    /** Set once a refusal at the hard limit was announced for this period. */
    final AtomicBoolean hardRefused = new AtomicBoolean();

    PeriodCounter(BudgetKey key, long startMillis, long endMillis) {
        this.key = key;
        this.startMillis = startMillis;
        this.endMillis = endMillis;
    }

    /**
     * The counter of the calendar day or month holding {@code epochMillis} in {@code zone}. Days
     * follow the zone's civil calendar, so a day across a DST change lasts 23 or 25 hours.
     */
    static PeriodCounter at(String scope, boolean monthly, long epochMillis, ZoneId zone) {
        LocalDate day = java.time.Instant.ofEpochMilli(epochMillis).atZone(zone).toLocalDate();
        if (monthly) {
            YearMonth month = YearMonth.from(day);
            long start = month.atDay(1).atStartOfDay(zone).toInstant().toEpochMilli();
            long end = month.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant().toEpochMilli();
            return new PeriodCounter(new BudgetKey(scope, month.toString()), start, end);
        }
        ZonedDateTime start = day.atStartOfDay(zone);
        long end = day.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        return new PeriodCounter(new BudgetKey(scope, day.toString()), start.toInstant().toEpochMilli(), end);
    }

    boolean contains(long epochMillis) {
        return epochMillis >= startMillis && epochMillis < endMillis;
    }

}
