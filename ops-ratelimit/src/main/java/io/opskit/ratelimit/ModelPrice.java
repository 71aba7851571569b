package io.opskit.ratelimit;

/**
 * List prices of one model in integer micro-USD (1 USD = 1,000,000) per million tokens.
 *
 * <p>Immutable and thread-safe. Costs round up to the next micro-USD, so the guard never
 * under-counts.
 *
 * @param inputPerMillion       price of a million prompt tokens not served from cache
 * @param cachedInputPerMillion price of a million prompt tokens served from cache
 * @param outputPerMillion      price of a million completion tokens that are not reasoning
 * @param reasoningPerMillion   price of a million reasoning tokens
 */
public record ModelPrice(long inputPerMillion, long cachedInputPerMillion, long outputPerMillion,
                         long reasoningPerMillion) {

    /** The highest price accepted for a million tokens: 1,000 USD. Anything above is a typo. */
    public static final long MAX_SANE_MICROS_PER_MILLION = 1_000_000_000L;

    /** The most tokens one cost computation accepts (keeps every product inside a long). */
    public static final long MAX_TOKENS = 1_000_000_000L;

    /**
     * Validates.
     *
     * @throws IllegalArgumentException naming the field when a price is negative or absurd
     *         (above {@link #MAX_SANE_MICROS_PER_MILLION}), or when cached input costs more than input
     */
    public ModelPrice {
        sane("inputPerMillion", inputPerMillion);
        sane("cachedInputPerMillion", cachedInputPerMillion);
        sane("outputPerMillion", outputPerMillion);
        sane("reasoningPerMillion", reasoningPerMillion);
        if (cachedInputPerMillion > inputPerMillion) {
            throw new IllegalArgumentException("cachedInputPerMillion must not exceed inputPerMillion: "
                    + cachedInputPerMillion + " > " + inputPerMillion);
        }
    }

    private static void sane(String field, long micros) {
        if (micros < 0 || micros > MAX_SANE_MICROS_PER_MILLION) {
            throw new IllegalArgumentException(field + " must be 0 to " + MAX_SANE_MICROS_PER_MILLION
                    + " micro-USD per million tokens: " + micros);
        }
    }

    /**
     * The worst-case cost of a call: all input at the uncached price and all output at the higher
     * of the output and reasoning prices.
     *
     * @return micro-USD, rounded up
     * @throws IllegalArgumentException when a count is negative or above {@link #MAX_TOKENS}
     */
    public long worstCaseMicros(long inputTokens, long maxOutputTokens) {
        tokens("inputTokens", inputTokens);
        tokens("maxOutputTokens", maxOutputTokens);
        return perMillion(inputTokens, inputPerMillion)
                + perMillion(maxOutputTokens, Math.max(outputPerMillion, reasoningPerMillion));
    }

    /**
     * The real cost of a call.
     *
     * @return micro-USD, rounded up
     * @throws IllegalArgumentException when a count is above {@link #MAX_TOKENS}
     */
    public long costMicros(TokenUsage usage) {
        tokens("inputTokens", usage.inputTokens());
        tokens("outputTokens", usage.outputTokens());
        return perMillion(usage.inputTokens() - usage.cachedInputTokens(), inputPerMillion)
                + perMillion(usage.cachedInputTokens(), cachedInputPerMillion)
                + perMillion(usage.outputTokens() - usage.reasoningTokens(), outputPerMillion)
                + perMillion(usage.reasoningTokens(), reasoningPerMillion);
    }

    private static void tokens(String field, long count) {
        if (count < 0 || count > MAX_TOKENS) {
            throw new IllegalArgumentException(field + " must be 0 to " + MAX_TOKENS + ": " + count);
        }
    }

    // tokens <= 1e9 and price <= 1e9 keep the product under 1e18 < Long.MAX_VALUE.
    private static long perMillion(long tokens, long microsPerMillion) {
        return (tokens * microsPerMillion + 999_999L) / 1_000_000L;
    }
}
