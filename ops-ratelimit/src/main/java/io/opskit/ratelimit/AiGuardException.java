package io.opskit.ratelimit;

import io.opskit.api.OpsException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The guard refused or could not complete a call. Each kind of refusal is its own subclass; every
 * one names the provider and model that refused, the {@link AiLimit} that did, the whole fallback
 * chain that was tried, and, where known, when a retry may succeed.
 */
public abstract class AiGuardException extends OpsException {

    private static final long serialVersionUID = 1L;

    private final String provider;
    private final String model;
    private final AiLimit limit;
    private final List<String> fallbackChain;
    private final @Nullable Duration retryAfter;

    AiGuardException(String provider, String model, AiLimit limit, List<String> fallbackChain,
                     @Nullable Duration retryAfter, String detail, @Nullable Throwable cause) {
        super(provider + "/" + model + " refused by " + limit.wireName() + ": " + detail
                + (retryAfter == null ? "" : "; retry after " + retryAfter.toMillis() + " ms")
                + (fallbackChain.size() > 1 ? " (fallback chain " + String.join(" -> ", fallbackChain) + ")" : ""),
                cause);
        this.provider = Objects.requireNonNull(provider, "provider");
        this.model = Objects.requireNonNull(model, "model");
        this.limit = Objects.requireNonNull(limit, "limit");
        this.fallbackChain = List.copyOf(fallbackChain);
        this.retryAfter = retryAfter;
    }

    static List<String> chainOf(String provider, String model, List<String> chain) {
        return chain.isEmpty() ? List.of(provider + "/" + model) : chain;
    }

    /** The provider that refused. */
    public String provider() {
        return provider;
    }

    /** The model that refused. */
    public String model() {
        return model;
    }

    /** The limit or condition that refused. */
    public AiLimit limit() {
        return limit;
    }

    /**
     * Every model the call could have used, in order ({@code provider/model}), starting with the
     * requested one; a single element without fallbacks.
     */
    public List<String> fallbackChain() {
        return fallbackChain;
    }

    /** When a retry may succeed, measured from the refusal; empty when unknown. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The refusal kind as a metric tag value ({@code budget}, {@code rate_limit}, ...): {@code limit().reason()}. */
    public String reason() {
        return limit.reason();
    }
}
