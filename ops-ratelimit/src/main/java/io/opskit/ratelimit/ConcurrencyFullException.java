package io.opskit.ratelimit;

import java.time.Duration;

/**
 * All places for concurrent calls to the model stayed taken for the whole bounded wait. Retry
 * shortly, or raise {@code maxConcurrent} if the provider allows it.
 */
public final class ConcurrencyFullException extends AiGuardException {

    private static final long serialVersionUID = 1L;

    /**
     * @param maxConcurrent the limit
     * @param waited        how long the call waited
     */
    public ConcurrencyFullException(String provider, String model, int maxConcurrent, Duration waited) {
        super(provider, model, "max_concurrent", null, maxConcurrent + " calls in flight, waited "
                + waited.toMillis() + " ms for a free place", null);
    }

    @Override
    public String reason() {
        return "concurrency";
    }
}
