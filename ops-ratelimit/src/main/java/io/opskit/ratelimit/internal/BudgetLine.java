package io.opskit.ratelimit.internal;

import java.time.ZoneId;

/**
 * One cost budget of the hierarchy (the app's, a provider's, a model's or a tenant's; daily or
 * monthly) across periods. Keeps the current and the previous period's counter, so calls that
 * straddle midnight settle where they reserved and a slightly late clock still finds its period.
 * Thread-safe.
 */
public final class BudgetLine {

    /** Where in the hierarchy a line sits. */
    public enum Level {
        /** The whole application. */
        APP,
        /** Every model of one provider. */
        PROVIDER,
        /** One model. */
        MODEL,
        /** One tenant across every model. */
        TENANT
    }

    final Level level;
    final String scope;
    final boolean monthly;
    final long softMicros;
    final long hardMicros;
    private final ZoneId zone;
    private volatile PeriodCounter current;
    private volatile PeriodCounter previous;

    BudgetLine(Level level, String scope, boolean monthly, long softMicros, long hardMicros, ZoneId zone,
               long nowMillis) {
        this.level = level;
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
        synchronized (this) {
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
    PeriodCounter current() {
        return current;
    }

    /** Where the line sits in the hierarchy. */
    public Level level() {
        return level;
    }

    /** What the line counts, e.g. {@code openai/gpt-4o/day} or {@code app/day}. */
    public String scope() {
        return scope;
    }

    /** {@code "month"} or {@code "day"}. */
    public String periodName() {
        return monthly ? "month" : "day";
    }

    /** True for a monthly line. */
    public boolean monthly() {
        return monthly;
    }

    /** The warning level, micro-USD. */
    public long softMicros() {
        return softMicros;
    }

    /** The refusal level, micro-USD. */
    public long hardMicros() {
        return hardMicros;
    }
}
