package io.opskit.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits of one provider model, enforced together before every call: requests per minute,
 * tokens per minute, concurrent calls (with a bounded wait for a free place), and USD cost per
 * calendar day and month, each with a soft limit (one warning per period) and a hard limit
 * (refusal). A limit left unset does not apply. Budgets apply per tenant when a request names one.
 *
 * <p>Immutable and thread-safe. Built with {@link #builder(String, String)}; every setter validates
 * at once and its message names the field and the value.
 */
public final class ModelPolicy {

    /** Budget amounts are kept in micro-USD; this is one USD. */
    static final long MICROS_PER_USD = 1_000_000L;

    private final String provider;
    private final String model;
    private final long requestsPerMinute;
    private final long tokensPerMinute;
    private final int maxConcurrent;
    private final Duration maxWait;
    private final long contextWindow;
    private final long dailySoftMicros;
    private final long dailyHardMicros;
    private final long monthlySoftMicros;
    private final long monthlyHardMicros;

    private ModelPolicy(Builder b) {
        this.provider = b.provider;
        this.model = b.model;
        this.requestsPerMinute = b.requestsPerMinute;
        this.tokensPerMinute = b.tokensPerMinute;
        this.maxConcurrent = b.maxConcurrent;
        this.maxWait = b.maxWait;
        this.contextWindow = b.contextWindow;
        this.dailySoftMicros = b.dailySoftMicros;
        this.dailyHardMicros = b.dailyHardMicros;
        this.monthlySoftMicros = b.monthlySoftMicros;
        this.monthlyHardMicros = b.monthlyHardMicros;
    }

    /**
     * Starts a policy for one model.
     *
     * @param provider the provider name, e.g. {@code "openai"}; 1 to 40 characters, no {@code '/'}
     * @param model    the model name, e.g. {@code "gpt-4o"}; 1 to 80 characters, no {@code '/'}
     * @throws IllegalArgumentException when a name is blank or contains {@code '/'}
     */
    public static Builder builder(String provider, String model) {
        return new Builder(name("provider", provider, 40), name("model", model, 80));
    }

    // Bounded so that a budget scope (provider/model/tenant/t/month) fits a BudgetKey's 200 characters.
    private static String name(String field, String value, int max) {
        Objects.requireNonNull(value, field);
        if (value.isBlank() || value.indexOf('/') >= 0 || value.length() > max
                || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(field + " must be 1 to " + max
                    + " printable characters without '/': '" + value + "'");
        }
        return value;
    }

    /** The provider name. */
    public String provider() {
        return provider;
    }

    /** The model name. */
    public String model() {
        return model;
    }

    /** {@code provider/model}. */
    public String route() {
        return provider + "/" + model;
    }

    /** Requests admitted per minute (a token bucket refilled continuously); 0 when unlimited. */
    public long requestsPerMinute() {
        return requestsPerMinute;
    }

    /** Input plus maximum output tokens admitted per minute; 0 when unlimited. */
    public long tokensPerMinute() {
        return tokensPerMinute;
    }

    /** Calls in flight at once. */
    public int maxConcurrent() {
        return maxConcurrent;
    }

    /** How long a call waits for a free place when {@link #maxConcurrent()} are in flight. */
    public Duration maxWait() {
        return maxWait;
    }

    /** The model's context window in tokens (input plus output); 0 when not checked. */
    public long contextWindow() {
        return contextWindow;
    }

    /** Daily soft limit in micro-USD; 0 when none. */
    public long dailySoftMicros() {
        return dailySoftMicros;
    }

    /** Daily hard limit in micro-USD; 0 when none. */
    public long dailyHardMicros() {
        return dailyHardMicros;
    }

    /** Monthly soft limit in micro-USD; 0 when none. */
    public long monthlySoftMicros() {
        return monthlySoftMicros;
    }

    /** Monthly hard limit in micro-USD; 0 when none. */
    public long monthlyHardMicros() {
        return monthlyHardMicros;
    }

    @Override
    public String toString() {
        return "ModelPolicy{" + route() + ", rpm=" + requestsPerMinute + ", tpm=" + tokensPerMinute
                + ", maxConcurrent=" + maxConcurrent + ", maxWait=" + maxWait + ", contextWindow=" + contextWindow
                + ", dailyMicros=" + dailySoftMicros + "/" + dailyHardMicros
                + ", monthlyMicros=" + monthlySoftMicros + "/" + monthlyHardMicros + '}';
    }

    /** Builds a {@link ModelPolicy}. Not thread-safe. */
    public static final class Builder {
        private final String provider;
        private final String model;
        private long requestsPerMinute;
        private long tokensPerMinute;
        private int maxConcurrent = 64;
        private Duration maxWait = Duration.ZERO;
        private long contextWindow;
        private long dailySoftMicros;
        private long dailyHardMicros;
        private long monthlySoftMicros;
        private long monthlyHardMicros;

        private Builder(String provider, String model) {
            this.provider = provider;
            this.model = model;
        }

        /**
         * Requests per minute; unset means unlimited.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder requestsPerMinute(long value) {
            this.requestsPerMinute = positive("requestsPerMinute", value);
            return this;
        }

        /**
         * Tokens per minute (input plus maximum output, reconciled to real usage); unset means unlimited.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder tokensPerMinute(long value) {
            this.tokensPerMinute = positive("tokensPerMinute", value);
            return this;
        }

        /**
         * Calls in flight at once (default 64) and how long a call may wait for a free place
         * (default: no wait).
         *
         * @throws IllegalArgumentException when {@code value} is not 1 to 4096 or the wait is negative
         */
        public Builder maxConcurrent(int value, Duration wait) {
            if (value < 1 || value > 4096) {
                throw new IllegalArgumentException("maxConcurrent must be 1 to 4096: " + value);
            }
            Objects.requireNonNull(wait, "maxWait");
            if (wait.isNegative()) {
                throw new IllegalArgumentException("maxWait must not be negative: " + wait);
            }
            this.maxConcurrent = value;
            this.maxWait = wait;
            return this;
        }

        /**
         * The context window in tokens; a request whose input plus maximum output exceeds it is not
         * sent to this model (a fallback is tried instead).
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder contextWindow(long tokens) {
            this.contextWindow = positive("contextWindow", tokens);
            return this;
        }

        /**
         * Cost per calendar day in the guard's zone: a soft limit that warns once per day and a hard
         * limit that refuses. Use {@code soft == hard} for no separate warning.
         *
         * @param softUsd warning level in USD, e.g. 50
         * @param hardUsd refusal level in USD, e.g. 100
         * @throws IllegalArgumentException when a value is not positive, not finite, or soft exceeds hard
         */
        public Builder dailyBudgetUsd(double softUsd, double hardUsd) {
            long[] limits = budget("dailyBudget", softUsd, hardUsd);
            this.dailySoftMicros = limits[0];
            this.dailyHardMicros = limits[1];
            return this;
        }

        /**
         * Cost per calendar month in the guard's zone, as {@link #dailyBudgetUsd(double, double)}.
         *
         * @throws IllegalArgumentException when a value is not positive, not finite, or soft exceeds hard
         */
        public Builder monthlyBudgetUsd(double softUsd, double hardUsd) {
            long[] limits = budget("monthlyBudget", softUsd, hardUsd);
            this.monthlySoftMicros = limits[0];
            this.monthlyHardMicros = limits[1];
            return this;
        }

        private static long[] budget(String field, double softUsd, double hardUsd) {
            if (!(softUsd > 0) || !Double.isFinite(softUsd) || softUsd > 1e9) {
                throw new IllegalArgumentException(field + " soft limit must be a positive number of USD: " + softUsd);
            }
            if (!(hardUsd > 0) || !Double.isFinite(hardUsd) || hardUsd > 1e9) {
                throw new IllegalArgumentException(field + " hard limit must be a positive number of USD: " + hardUsd);
            }
            if (softUsd > hardUsd) {
                throw new IllegalArgumentException(field + " soft limit must not exceed the hard limit: "
                        + softUsd + " > " + hardUsd);
            }
            return new long[] {Math.round(softUsd * MICROS_PER_USD), Math.round(hardUsd * MICROS_PER_USD)};
        }

        private static long positive(String field, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(field + " must be positive: " + value);
            }
            return value;
        }

        /** Builds the immutable policy. */
        public ModelPolicy build() {
            return new ModelPolicy(this);
        }
    }
}
