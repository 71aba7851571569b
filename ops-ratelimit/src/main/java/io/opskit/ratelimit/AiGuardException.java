package io.opskit.ratelimit;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The guard refused or could not complete a call. Each kind of refusal is its own subclass; every
 * one names the provider and model that refused, the limit (e.g. {@code "requests_per_minute"},
 * {@code "daily_budget"}) and, where known, when a retry may succeed.
 */
public abstract class AiGuardException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String provider;
    private final String model;
    private final String limit;
    private final @Nullable Duration retryAfter;

    AiGuardException(String provider, String model, String limit, @Nullable Duration retryAfter, String detail,
                     @Nullable Throwable cause) {
        super(provider + "/" + model + " refused by " + limit + ": " + detail
                + (retryAfter == null ? "" : "; retry after " + retryAfter.toMillis() + " ms"), cause);
        this.provider = Objects.requireNonNull(provider, "provider");
        this.model = Objects.requireNonNull(model, "model");
        this.limit = Objects.requireNonNull(limit, "limit");
        this.retryAfter = retryAfter;
    }

    /** The provider that refused. */
    public String provider() {
        return provider;
    }

    /** The model that refused. */
    public String model() {
        return model;
    }

    /** The limit or condition that refused, in snake case. */
    public String limit() {
        return limit;
    }

    /** When a retry may succeed, measured from the refusal; empty when unknown. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The refusal kind as a metric tag value ({@code budget}, {@code rate_limit}, ...). */
    public abstract String reason();
}
