package io.opskit.ratelimit;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A rate limit refused the call: the local requests- or tokens-per-minute window, or a pause the
 * provider asked for with HTTP 429 and {@code Retry-After}. Retry after {@link #retryAfter()}, or
 * configure a fallback model.
 */
public final class RateLimitedException extends AiGuardException {

    private static final long serialVersionUID = 1L;

    /**
     * @param limit         {@link AiLimit#REQUESTS_PER_MINUTE}, {@link AiLimit#TOKENS_PER_MINUTE} or
     *                      {@link AiLimit#PROVIDER_RETRY_AFTER}
     * @param fallbackChain the models tried, in order; empty means just this one
     * @param retryAfter    when the limit admits the call again, or null when never or unknown
     */
    public RateLimitedException(String provider, String model, AiLimit limit, List<String> fallbackChain,
                                @Nullable Duration retryAfter) {
        super(provider, model, limit, chainOf(provider, model, fallbackChain), retryAfter,
                "rate limit reached; wait, or configure a fallback model", null);
    }
}
