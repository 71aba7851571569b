package io.opskit.ratelimit;

/**
 * What a provider call really used, as the provider reported it. Counts follow the OpenAI usage
 * shape: {@code inputTokens} includes {@code cachedInputTokens}, and {@code outputTokens} includes
 * {@code reasoningTokens}. A provider that reports them apart is mapped by adding them up.
 *
 * <p>Immutable and thread-safe; a host may build one per response or reuse one.
 *
 * @param inputTokens       prompt tokens, cached ones included; zero or more
 * @param cachedInputTokens prompt tokens served from the provider's cache; 0 to {@code inputTokens}
 * @param outputTokens      completion tokens, reasoning ones included; zero or more
 * @param reasoningTokens   completion tokens spent on hidden reasoning; 0 to {@code outputTokens}
 */
public record TokenUsage(long inputTokens, long cachedInputTokens, long outputTokens, long reasoningTokens) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException naming the field when a count is negative or a part exceeds
     *         its whole
     */
    public TokenUsage {
        nonNegative("inputTokens", inputTokens);
        nonNegative("cachedInputTokens", cachedInputTokens);
        nonNegative("outputTokens", outputTokens);
        nonNegative("reasoningTokens", reasoningTokens);
        if (cachedInputTokens > inputTokens) {
            throw new IllegalArgumentException("cachedInputTokens must not exceed inputTokens: "
                    + cachedInputTokens + " > " + inputTokens);
        }
        if (reasoningTokens > outputTokens) {
            throw new IllegalArgumentException("reasoningTokens must not exceed outputTokens: "
                    + reasoningTokens + " > " + outputTokens);
        }
    }

    /**
     * Usage without cache or reasoning detail.
     *
     * @throws IllegalArgumentException naming the field when a count is negative
     */
    public static TokenUsage of(long inputTokens, long outputTokens) {
        return new TokenUsage(inputTokens, 0, outputTokens, 0);
    }

    /** Input plus output tokens: what counts against a tokens-per-minute limit. */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    static void nonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must not be negative: " + value);
        }
    }
}
