package io.opskit.ratelimit;

import io.opskit.api.Usd;

/**
 * A guarded call that succeeded: the host's value, which model answered, what it used and cost.
 *
 * @param value      the host's value from {@link ProviderReply#ok}
 * @param provider   the provider that answered
 * @param model      the model that answered (differs from the request's when a fallback answered)
 * @param usage      the usage the provider reported
 * @param cost       the cost charged to every budget line that applies
 * @param attempts   how many attempts were sent, retries and fallbacks included
 * @param <T>        the host's result type
 */
public record AiResult<T>(T value, String provider, String model, TokenUsage usage, Usd cost, int attempts) {

}
