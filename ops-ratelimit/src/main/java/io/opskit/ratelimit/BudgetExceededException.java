package io.opskit.ratelimit;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The call's worst-case cost does not fit in what is left of a hard cost budget. Retry after the
 * period ends (given as {@link #retryAfter()}), use a cheaper model, or raise the budget.
 */
public final class BudgetExceededException extends AiGuardException {

    private static final long serialVersionUID = 1L;

    private final long remainingMicros;
    private final long requiredMicros;

    /**
     * @param limit           {@code "daily_budget"} or {@code "monthly_budget"}
     * @param requiredMicros  the worst-case cost of the refused call
     * @param remainingMicros what was left in the period
     * @param untilPeriodEnd  time until the period ends, or null
     */
    public BudgetExceededException(String provider, String model, String limit, long requiredMicros,
                                   long remainingMicros, @Nullable Duration untilPeriodEnd) {
        super(provider, model, limit, untilPeriodEnd, "worst-case cost " + Money.usd(requiredMicros)
                + " USD exceeds the " + Money.usd(remainingMicros) + " USD left; use a cheaper model or raise the budget",
                null);
        this.remainingMicros = remainingMicros;
        this.requiredMicros = requiredMicros;
    }

    /** What was left of the budget, micro-USD. */
    public long remainingMicros() {
        return remainingMicros;
    }

    /** The worst-case cost the call needed, micro-USD. */
    public long requiredMicros() {
        return requiredMicros;
    }

    @Override
    public String reason() {
        return "budget";
    }
}
