package io.opskit.ratelimit;

import io.opskit.api.Usd;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The call's worst-case cost does not fit in what is left of a hard cost budget: the app's, the
 * provider's, the model's or the tenant's ({@link #scope()} says which). Retry after the period ends
 * (given as {@link #retryAfter()}), use a cheaper model, or raise the budget.
 */
public final class BudgetExceededException extends AiGuardException {

    private static final long serialVersionUID = 1L;

    private final String scope;
    private final Usd remaining;
    private final Usd required;

    /**
     * @param limit          {@link AiLimit#DAILY_BUDGET} or {@link AiLimit#MONTHLY_BUDGET}
     * @param scope          the budget line that refused, e.g. {@code "app/day"} or {@code "openai/gpt-4o/day"}
     * @param fallbackChain  the models tried, in order; empty means just this one
     * @param required       the worst-case cost of the refused call
     * @param remaining      what was left in the period
     * @param untilPeriodEnd time until the period ends, or null
     */
    public BudgetExceededException(String provider, String model, AiLimit limit, String scope,
                                   List<String> fallbackChain, Usd required, Usd remaining,
                                   @Nullable Duration untilPeriodEnd) {
        super(provider, model, limit, chainOf(provider, model, fallbackChain), untilPeriodEnd,
                "budget " + scope + ": worst-case cost " + required + " exceeds the " + remaining
                        + " left; use a cheaper model or raise the budget", null);
        this.scope = scope;
        this.remaining = remaining;
        this.required = required;
    }

    /** The budget line that refused, e.g. {@code "app/day"}, {@code "tenant/acme/month"}. */
    public String scope() {
        return scope;
    }

    /** What was left of the budget. */
    public Usd remaining() {
        return remaining;
    }

    /** The worst-case cost the call needed. */
    public Usd required() {
        return required;
    }
}
