package io.opskit.ratelimit.internal;

import java.time.ZoneId;

/**
 * One cost budget (a model's or a tenant's, daily or monthly) across periods. Keeps the current and
 * the previous period's counter, so calls that straddle midnight settle where they reserved and a
 * slightly late clock still finds its period. Thread-safe.
 */
public final class BudgetLine {

    final String scope;
    final boolean monthly;
    final long softMicros;
    final long hardMicros;
    private final ZoneId zone;
    private volatile PeriodCounter current;
    private volatile PeriodCounter previous;

    BudgetLine(String scope, boolean monthly, long softMicros, long hardMicros, ZoneId zone, long nowMillis) {
        this.scope = scope;
        this.monthly = monthly;
        this.softMicros = softMicros;
        this.hardMicros = hardMicros;
        this.zone = zone;
        this.current = PeriodCounter.at(scope, monthly, nowMillis, zone);
        this.previous = current;
    }

    /** The counter for {@code epochMillis}; allocates only when a new period begins. */
    PeriodCounter at(long epochMillis) {
        PeriodCounter c = current;
        if (c.contains(epochMillis)) {
            return c;
        }
        PeriodCounter p = previous;
        if (p.contains(epochMillis)) {
            return p;
        }
        synchronized (this) { // once per period: the hot path above takes no lock
            c = current;
            if (c.contains(epochMillis)) {
                return c;
            }
            PeriodCounter fresh = PeriodCounter.at(scope, monthly, epochMillis, zone);
            if (fresh.startMillis >= c.startMillis) {
                previous = c;
                current = fresh;
            }
            return fresh;
        }
    }

    /** The current period's counter, as of the last call. */
    public PeriodCounter current() {
        return current;
    }

    /** What the line counts, e.g. {@code openai/gpt-4o/day}. */
    public String scope() {
        return scope;
    }

    /** {@code "month"} or {@code "day"}. */
    public String periodName() {
        return monthly ? "month" : "day";
    }

    /** The warning level, micro-USD. */
    public long softMicros() {
        return softMicros;
    }

    /** The refusal level, micro-USD. */
    public long hardMicros() {
        return hardMicros;
    }

    /** The limit name used in refusals: {@code daily_budget} or {@code monthly_budget}. */
    public String limitName() {
        return monthly ? "monthly_budget" : "daily_budget";
    }
}
