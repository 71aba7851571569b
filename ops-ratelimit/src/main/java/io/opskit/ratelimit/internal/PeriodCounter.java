package io.opskit.ratelimit.internal;

import io.opskit.api.budget.BudgetKey;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One budget line in one calendar period: its key, its bounds in epoch milliseconds, and what is
 * spent and held. A new period is a new counter, so nothing is ever reset.
 *
 * <p>Thread-safety: with the in-memory ledger {@link #spent} and {@link #reserved} are guarded by
 * the ledger's lock; with a shared store they are the last figures the store reported (volatile,
 * for gauges and health). The flags are atomics; the rest is final.
 */
final class PeriodCounter {

    final BudgetKey key;
    /** First millisecond of the period (inclusive). */
    final long startMillis;
    /** First millisecond after the period (exclusive). */
    final long endMillis;
    /** Reconciled spend, micro-USD. */
    volatile long spent;
    /** Open reservations, micro-USD. */
    volatile long reserved;
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

    long remaining(long hardMicros) {
        return Math.max(0, hardMicros - spent - reserved);
    }
}
