package io.opskit.ratelimit;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A rate limit refused the call: the local requests- or tokens-per-minute limit, or a pause the
 * provider asked for with HTTP 429 and {@code Retry-After} (limit {@code "provider_retry_after"}).
 * Retry after {@link #retryAfter()}.
 */
public final class RateLimitedException extends AiGuardException {

    private static final long serialVersionUID = 1L;

    /**
     * @param limit      {@code "requests_per_minute"}, {@code "tokens_per_minute"} or
     *                   {@code "provider_retry_after"}
     * @param retryAfter when the limit admits the call again, or null when unknown
     */
    public RateLimitedException(String provider, String model, String limit, @Nullable Duration retryAfter) {
        super(provider, model, limit, retryAfter, "rate limit reached; wait, or configure a fallback model", null);
    }

    @Override
    public String reason() {
        return "provider_retry_after".equals(limit()) ? "provider_pause" : "rate_limit";
    }
}
