package io.opskit.ratelimit;

/**
 * A guarded call that succeeded: the host's value, which model answered, what it used and cost.
 *
 * @param value      the host's value from {@link ProviderReply#ok}
 * @param provider   the provider that answered
 * @param model      the model that answered (differs from the request's when a fallback answered)
 * @param usage      the usage the provider reported
 * @param costMicros the cost charged to the budget, micro-USD
 * @param attempts   how many attempts were sent, retries and fallbacks included
 * @param <T>        the host's result type
 */
public record AiResult<T>(T value, String provider, String model, TokenUsage usage, long costMicros, int attempts) {

    /** The cost in USD, for display. */
    public double costUsd() {
        return costMicros / 1_000_000d;
    }
}
