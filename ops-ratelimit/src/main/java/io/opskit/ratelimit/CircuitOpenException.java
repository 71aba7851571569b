package io.opskit.ratelimit;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The model's circuit breaker is open after repeated server errors or timeouts; calls are not sent
 * until it lets a trial call through. Use a fallback model or retry later.
 */
public final class CircuitOpenException extends AiGuardException {

    private static final long serialVersionUID = 1L;

    /**
     * @param retryAfter when the breaker lets a trial call through, or null when unknown
     */
    public CircuitOpenException(String provider, String model, @Nullable Duration retryAfter) {
        super(provider, model, "circuit_breaker", retryAfter, "too many server errors or timeouts recently", null);
    }

    @Override
    public String reason() {
        return "circuit_open";
    }
}
