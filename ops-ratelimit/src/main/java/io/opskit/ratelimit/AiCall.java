package io.opskit.ratelimit;

/**
 * The host's provider call: sends the request for the model the guard chose (the first model, a
 * retry, or a fallback) and reports what came back. The guard makes no HTTP call of its own.
 *
 * @param <T> the host's result type
 */
@FunctionalInterface
public interface AiCall<T> {

    /**
     * Sends one attempt.
     *
     * @param attempt which model to call, the attempt number and the time the call may take
     * @return the reply; never null
     * @throws Exception when the provider cannot be reached or times out
     */
    ProviderReply<T> call(Attempt attempt) throws Exception;
}
