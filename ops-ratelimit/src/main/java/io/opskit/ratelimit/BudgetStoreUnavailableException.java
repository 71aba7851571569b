package io.opskit.ratelimit;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The shared budget store could not decide an admission (unreachable, too slow), or too many
 * settlements are still waiting to be delivered to it: the guard fails closed and sends nothing.
 * The cause, when present, is the store's {@link io.opskit.api.budget.BudgetStoreException}.
 * Retry shortly; check the database.
 */
public final class BudgetStoreUnavailableException extends AiGuardException {

    private static final long serialVersionUID = 1L;

    /**
     * @param fallbackChain the models tried, in order; empty means just this one
     * @param detail        what failed, without secrets
     * @param cause         the store's exception, or null
     */
    public BudgetStoreUnavailableException(String provider, String model, List<String> fallbackChain,
                                           String detail, @Nullable Throwable cause) {
        super(provider, model, AiLimit.BUDGET_STORE, chainOf(provider, model, fallbackChain), null, detail, cause);
    }
}
