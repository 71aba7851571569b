package io.opskit.ratelimit;

import java.time.Duration;
import java.util.List;

/**
 * Every place for concurrent calls stayed taken for the whole bounded wait (one wait budget for the
 * whole fallback chain). Retry shortly, or raise {@code maxConcurrent} if the provider allows it.
 */
public final class ConcurrencyFullException extends AiGuardException {

    private static final long serialVersionUID = 1L;

    private final Duration waited;

    /**
     * @param maxConcurrent the limit of the model that refused
     * @param fallbackChain the models tried, in order; empty means just this one
     * @param waited        how long the call waited for a place, all models together
     */
    public ConcurrencyFullException(String provider, String model, int maxConcurrent, List<String> fallbackChain,
                                    Duration waited) {
        super(provider, model, AiLimit.MAX_CONCURRENT, chainOf(provider, model, fallbackChain), null,
                maxConcurrent + " calls in flight, waited " + waited.toMillis() + " ms for a free place", null);
        this.waited = waited;
    }

    /** How long the call waited for a place. */
    public Duration waited() {
        return waited;
    }
}
