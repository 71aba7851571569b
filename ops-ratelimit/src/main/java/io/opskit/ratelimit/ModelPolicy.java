package io.opskit.ratelimit;

import io.opskit.api.Usd;
import io.opskit.api.internal.Checks;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The limits of one provider model, enforced together before every call: requests per minute,
 * tokens per minute (each a sliding-window bound with a small burst), concurrent calls (with a
 * bounded wait for a free place), and USD cost per calendar day and month. A limit left unset does
 * not apply. The model's budget is one line of the guard's hierarchy: the app's, the provider's and
 * the tenant's lines (configured on {@link AiGuard.Builder}) apply as well.
 *
 * <p>Immutable and thread-safe. Built with {@link #builder(String, String)}; every setter validates
 * at once and its message names the field and the value; setting a value twice throws
 * {@link IllegalStateException}.
 */
public final class ModelPolicy {

    private final String provider;
    private final String model;
    private final long requestsPerMinute;
    private final long requestBurst;
    private final long tokensPerMinute;
    private final long tokenBurst;
    private final int maxConcurrent;
    private final Duration maxWait;
    private final long contextWindow;
    private final @Nullable BudgetLimits budget;

    private ModelPolicy(Builder b) {
        this.provider = b.provider;
        this.model = b.model;
        this.requestsPerMinute = b.requestsPerMinute;
        this.requestBurst = b.requestBurst;
        this.tokensPerMinute = b.tokensPerMinute;
        this.tokenBurst = b.tokenBurst;
        this.maxConcurrent = b.maxConcurrent == null ? 64 : b.maxConcurrent;
        this.maxWait = b.maxWait == null ? Duration.ZERO : b.maxWait;
        this.contextWindow = b.contextWindow;
        this.budget = b.budget;
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

    // Bounded so that a budget scope (provider/<p>/..., <p>/<m>/month) fits a BudgetKey's 200 characters.
    static String name(String field, String value, int max) {
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

    /** Requests per minute, 0 when unlimited. */
    public long requestsPerMinute() {
        return requestsPerMinute;
    }

    /** Requests admitted at once above the steady rate (default a tenth of the minute's); 0 when unlimited. */
    public long requestBurst() {
        return requestBurst;
    }

    /** Tokens per minute, 0 when unlimited. */
    public long tokensPerMinute() {
        return tokensPerMinute;
    }

    /** Tokens admitted at once above the steady rate (default a tenth of the minute's); 0 when unlimited. */
    public long tokenBurst() {
        return tokenBurst;
    }

    /** Calls in flight at once. */
    public int maxConcurrent() {
        return maxConcurrent;
    }

    /** How long a call waits for a free place. */
    public Duration maxWait() {
        return maxWait;
    }

    /** The context window in tokens, 0 when unchecked. */
    public long contextWindow() {
        return contextWindow;
    }

    /** The model's own cost budget line, when set. */
    public Optional<BudgetLimits> budget() {
        return Optional.ofNullable(budget);
    }

    @Override
    public String toString() {
        return "ModelPolicy{" + route() + ", rpm=" + requestsPerMinute + "+" + requestBurst + ", tpm=" + tokensPerMinute
                + "+" + tokenBurst + ", maxConcurrent=" + maxConcurrent + ", maxWait=" + maxWait
                + ", contextWindow=" + contextWindow + ", budget=" + (budget == null ? "none" : budget) + '}';
    }

    /** Builds a {@link ModelPolicy}. Not thread-safe. */
    public static final class Builder {
        private final String provider;
        private final String model;
        private long requestsPerMinute;
        private long requestBurst;
        private long tokensPerMinute;
        private long tokenBurst;
        private @Nullable Integer maxConcurrent;
        private @Nullable Duration maxWait;
        private long contextWindow;
        private @Nullable BudgetLimits budget;

        private Builder(String provider, String model) {
            this.provider = provider;
            this.model = model;
        }

        /**
         * Requests per minute, with the default burst of a tenth of it (at least 1): in any 60 s
         * window at most {@code value + burst} requests are admitted. Unset means unlimited.
         *
         * @throws IllegalArgumentException when not positive
         * @throws IllegalStateException    when set already
         */
        public Builder requestsPerMinute(long value) {
            return requestsPerMinute(value, Math.max(1, value / 10));
        }

        /**
         * Requests per minute and the burst admitted above the steady rate: in any 60 s window at
         * most {@code value + burst} requests are admitted.
         *
         * @throws IllegalArgumentException when {@code value} is not positive or {@code burst} is not 1 to {@code value}
         * @throws IllegalStateException    when set already
         */
        public Builder requestsPerMinute(long value, long burst) {
            if (requestsPerMinute != 0) {
                throw new IllegalStateException("requestsPerMinute was already set");
            }
            this.requestsPerMinute = positive("requestsPerMinute", value);
            this.requestBurst = burst("requestBurst", burst, value);
            return this;
        }

        /**
         * Tokens per minute (input plus maximum output, reconciled to real usage) with the default
         * burst of a tenth of it; unset means unlimited.
         *
         * @throws IllegalArgumentException when not positive
         * @throws IllegalStateException    when set already
         */
        public Builder tokensPerMinute(long value) {
            return tokensPerMinute(value, Math.max(1, value / 10));
        }

        /**
         * Tokens per minute and their burst: in any 60 s window at most {@code value + burst} tokens
         * are admitted, or {@code value} plus one request larger than the burst (admitted only when
         * nothing else was admitted for a while).
         *
         * @throws IllegalArgumentException when {@code value} is not positive or {@code burst} is not 1 to {@code value}
         * @throws IllegalStateException    when set already
         */
        public Builder tokensPerMinute(long value, long burst) {
            if (tokensPerMinute != 0) {
                throw new IllegalStateException("tokensPerMinute was already set");
            }
            this.tokensPerMinute = positive("tokensPerMinute", value);
            this.tokenBurst = burst("tokenBurst", burst, value);
            return this;
        }

        /**
         * Calls in flight at once (default 64) and how long a call may wait for a free place
         * (default: no wait). Waiting callers park and are served in arrival order.
         *
         * @throws IllegalArgumentException when {@code value} is not 1 to 4096 or the wait is negative
         * @throws IllegalStateException    when set already
         */
        public Builder maxConcurrent(int value, Duration wait) {
            if (maxConcurrent != null) {
                throw new IllegalStateException("maxConcurrent was already set");
            }
            if (value < 1 || value > 4096) {
                throw new IllegalArgumentException("maxConcurrent must be 1 to 4096: " + value);
            }
            Objects.requireNonNull(wait, "maxWait");
            if (wait.isNegative() || wait.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("maxWait must be 0 to 1 h: " + wait);
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
         * @throws IllegalStateException    when set already
         */
        public Builder contextWindow(long tokens) {
            if (contextWindow != 0) {
                throw new IllegalStateException("contextWindow was already set");
            }
            this.contextWindow = positive("contextWindow", tokens);
            return this;
        }

        /**
         * The model's own cost budget line.
         *
         * @throws IllegalStateException when set already
         */
        public Builder budget(BudgetLimits limits) {
            Objects.requireNonNull(limits, "budget");
            if (budget != null) {
                throw new IllegalStateException("budget was already set");
            }
            this.budget = limits;
            return this;
        }

        /**
         * A daily budget in USD, soft (warning) and hard (refusal): shorthand for
         * {@code budget(BudgetLimits.daily(...))}, combinable with {@link #monthlyBudgetUsd}.
         *
         * @throws IllegalArgumentException when a value is not finite, rounds below one micro-USD, or soft exceeds hard
         * @throws IllegalStateException    when a daily budget is set already
         */
        public Builder dailyBudgetUsd(double softUsd, double hardUsd) {
            Usd soft = usd("daily soft limit", softUsd);
            Usd hard = usd("daily hard limit", hardUsd);
            budget = budget == null ? BudgetLimits.daily(soft, hard) : budget.andDaily(soft, hard);
            return this;
        }

        /**
         * A monthly budget in USD, soft (warning) and hard (refusal).
         *
         * @throws IllegalArgumentException when a value is not finite, rounds below one micro-USD, or soft exceeds hard
         * @throws IllegalStateException    when a monthly budget is set already
         */
        public Builder monthlyBudgetUsd(double softUsd, double hardUsd) {
            Usd soft = usd("monthly soft limit", softUsd);
            Usd hard = usd("monthly hard limit", hardUsd);
            budget = budget == null ? BudgetLimits.monthly(soft, hard) : budget.andMonthly(soft, hard);
            return this;
        }

        private static Usd usd(String field, double dollars) {
            if (!Double.isFinite(dollars) || dollars > 1e12) {
                throw new IllegalArgumentException(field + " must be a finite number of USD up to 1e12: " + dollars);
            }
            Usd value = Usd.ofDollars(dollars);
            if (value.micros() < 1) { // 4e-7 would round to 0, which must never mean "no budget"
                throw new IllegalArgumentException(field + " must be at least $0.000001: " + dollars);
            }
            return value;
        }

        private static long positive(String field, long value) {
            return Checks.requirePositive(value, field);
        }

        private static long burst(String field, long burst, long perMinute) {
            if (burst < 1 || burst > perMinute) {
                throw new IllegalArgumentException(field + " must be 1 to " + perMinute + ": " + burst);
            }
            return burst;
        }

        /** Builds the policy. */
        public ModelPolicy build() {
            return new ModelPolicy(this);
        }
    }
}
