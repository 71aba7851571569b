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

    /**
     * The most one computation charges, micro-USD (about 1.15e12 USD): costs saturate here instead
     * of overflowing, so an absurd usage report is still charged (as the most a call can cost)
     * rather than failing after the call.
     */
    public static final long MAX_CHARGE_MICROS = Long.MAX_VALUE / 8;

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
     * of the output and reasoning prices. Never overflows: saturates at {@link #MAX_CHARGE_MICROS}.
     *
     * @return micro-USD, rounded up
     * @throws IllegalArgumentException when a count is negative
     */
    public long worstCaseMicros(long inputTokens, long maxOutputTokens) {
        tokens("inputTokens", inputTokens);
        tokens("maxOutputTokens", maxOutputTokens);
        return add(perMillion(inputTokens, inputPerMillion),
                perMillion(maxOutputTokens, Math.max(outputPerMillion, reasoningPerMillion)));
    }

    /**
     * The real cost of a call. Never overflows and never throws for large counts: saturates at
     * {@link #MAX_CHARGE_MICROS}.
     *
     * @return micro-USD, rounded up
     */
    public long costMicros(TokenUsage usage) {
        long cost = perMillion(usage.inputTokens() - usage.cachedInputTokens(), inputPerMillion);
        cost = add(cost, perMillion(usage.cachedInputTokens(), cachedInputPerMillion));
        cost = add(cost, perMillion(usage.outputTokens() - usage.reasoningTokens(), outputPerMillion));
        return add(cost, perMillion(usage.reasoningTokens(), reasoningPerMillion));
    }

    private static void tokens(String field, long count) {
        if (count < 0) {
            throw new IllegalArgumentException(field + " must not be negative: " + count);
        }
    }

    private static long add(long a, long b) {
        return Math.min(MAX_CHARGE_MICROS, a + b); // both at most MAX_CHARGE_MICROS: no overflow
    }

    // Whole millions and the remainder apart, so no product leaves a long before the saturation check.
    private static long perMillion(long tokens, long microsPerMillion) {
        long millions = tokens / 1_000_000L;
        long rest = tokens % 1_000_000L;
        if (millions > 0 && microsPerMillion > MAX_CHARGE_MICROS / millions) {
            return MAX_CHARGE_MICROS;
        }
        long whole = millions * microsPerMillion;
        long part = (rest * microsPerMillion + 999_999L) / 1_000_000L; // rest < 1e6, price <= 1e9
        return Math.min(MAX_CHARGE_MICROS, whole + part);
    }
}
