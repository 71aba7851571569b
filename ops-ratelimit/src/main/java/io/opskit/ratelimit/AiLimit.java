package io.opskit.ratelimit;

/**
 * What refused a guarded call, with a stable {@link #wireName()} for logs, metrics and JSON.
 */
public enum AiLimit {
    /** The model's requests-per-minute window is full. */
    REQUESTS_PER_MINUTE("requests_per_minute", "rate_limit"),
    /** The model's tokens-per-minute window is full. */
    TOKENS_PER_MINUTE("tokens_per_minute", "rate_limit"),
    /** The provider answered HTTP 429 and asked to wait ({@code Retry-After}). */
    PROVIDER_RETRY_AFTER("provider_retry_after", "provider_pause"),
    /** Every place for a concurrent call stayed taken for the whole wait. */
    MAX_CONCURRENT("max_concurrent", "concurrency"),
    /** A daily cost budget (the app's, a provider's, the model's or the tenant's) is spent. */
    DAILY_BUDGET("daily_budget", "budget"),
    /** A monthly cost budget is spent. */
    MONTHLY_BUDGET("monthly_budget", "budget"),
    /** The guard already tracks its maximum number of tenants and none is idle. */
    MAX_TENANTS("max_tenants", "max_tenants"),
    /** The request's tokens do not fit the model's context window. */
    CONTEXT_WINDOW("context_window", "context_window"),
    /** The model's circuit breaker is open. */
    CIRCUIT_BREAKER("circuit_breaker", "circuit_open"),
    /** The shared budget store cannot be reached, or too many settlements wait for it. */
    BUDGET_STORE("budget_store", "budget_store"),
    /** The provider failed the call (server error, timeout, client error). */
    PROVIDER_ERROR("provider_error", "provider_error");

    private final String wireName;
    private final String reason;

    AiLimit(String wireName, String reason) {
        this.wireName = wireName;
        this.reason = reason;
    }

    /** The stable lowercase name, e.g. {@code "requests_per_minute"}. */
    public String wireName() {
        return wireName;
    }

    /** The refusal kind used as the {@code reason} tag of {@code ai.requests.rejected}, e.g. {@code "rate_limit"}. */
    public String reason() {
        return reason;
    }
}
