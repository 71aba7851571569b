package io.opskit.ratelimit;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The model's circuit breaker is open after repeated server errors or timeouts; calls are not sent
 * until it lets a trial call through. Use a fallback model or retry later.
 */
public final class CircuitOpenException extends AiGuardException {

    private static final long serialVersionUID = 1L;

    /**
     * @param fallbackChain the models tried, in order; empty means just this one
     * @param retryAfter    when the breaker lets a trial call through, or null when unknown
     */
    public CircuitOpenException(String provider, String model, List<String> fallbackChain,
                                @Nullable Duration retryAfter) {
        super(provider, model, AiLimit.CIRCUIT_BREAKER, chainOf(provider, model, fallbackChain), retryAfter,
                "too many server errors or timeouts recently", null);
    }
}
