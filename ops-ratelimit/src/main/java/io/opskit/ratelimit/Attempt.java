package io.opskit.ratelimit;

import java.time.Duration;

/**
 * One attempt of a guarded call, handed to the host's {@link AiCall}. The host must call the model
 * named here and should use {@link #timeout()} as its HTTP request timeout.
 *
 * <p>Used from the calling thread; {@link #firstToken()} may be called from another thread (a
 * streaming callback).
 */
public interface Attempt {

    /** The provider to call. */
    String provider();

    /** The model to call: the requested one, or a fallback. */
    String model();

    /** 1 for the first attempt of the call, counting retries and fallbacks. */
    int number();

    /** How long this attempt may take: the call timeout, shortened by what is left of the retry budget. */
    Duration timeout();

    /** For streaming calls: marks the arrival of the first token, for the time-to-first-token metric. */
    void firstToken();
}
