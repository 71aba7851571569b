package io.opskit.ratelimit;

import io.opskit.api.Usd;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The cost budgets of one line of the hierarchy (the app, a provider, a model or each tenant): a
 * daily and/or a monthly budget, each with a soft limit (one warning per period) and a hard limit
 * (refusal). Days and months follow the guard's zone.
 *
 * <pre>{@code
 * BudgetLimits app = BudgetLimits.daily(Usd.parse("80"), Usd.parse("100"));
 * BudgetLimits tenant = BudgetLimits.daily(Usd.parse("4"), Usd.parse("5")).andMonthly(Usd.parse("50"), Usd.parse("60"));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class BudgetLimits {

    private final @Nullable Usd dailySoft;
    private final @Nullable Usd dailyHard;
    private final @Nullable Usd monthlySoft;
    private final @Nullable Usd monthlyHard;

    private BudgetLimits(@Nullable Usd dailySoft, @Nullable Usd dailyHard, @Nullable Usd monthlySoft,
                         @Nullable Usd monthlyHard) {
        this.dailySoft = dailySoft;
        this.dailyHard = dailyHard;
        this.monthlySoft = monthlySoft;
        this.monthlyHard = monthlyHard;
    }

    /**
     * A daily budget.
     *
     * @throws IllegalArgumentException when an amount is below one micro-USD or soft exceeds hard
     */
    public static BudgetLimits daily(Usd soft, Usd hard) {
        check("daily", soft, hard);
        return new BudgetLimits(soft, hard, null, null);
    }

    /**
     * A monthly budget.
     *
     * @throws IllegalArgumentException when an amount is below one micro-USD or soft exceeds hard
     */
    public static BudgetLimits monthly(Usd soft, Usd hard) {
        check("monthly", soft, hard);
        return new BudgetLimits(null, null, soft, hard);
    }

    /**
     * These limits with a daily budget as well.
     *
     * @throws IllegalArgumentException when an amount is below one micro-USD or soft exceeds hard
     * @throws IllegalStateException    when a daily budget is set already
     */
    public BudgetLimits andDaily(Usd soft, Usd hard) {
        if (dailyHard != null) {
            throw new IllegalStateException("daily budget was already set");
        }
        check("daily", soft, hard);
        return new BudgetLimits(soft, hard, monthlySoft, monthlyHard);
    }

    /**
     * These limits with a monthly budget as well.
     *
     * @throws IllegalArgumentException when an amount is below one micro-USD or soft exceeds hard
     * @throws IllegalStateException    when a monthly budget is set already
     */
    public BudgetLimits andMonthly(Usd soft, Usd hard) {
        if (monthlyHard != null) {
            throw new IllegalStateException("monthly budget was already set");
        }
        check("monthly", soft, hard);
        return new BudgetLimits(dailySoft, dailyHard, soft, hard);
    }

    static void check(String field, Usd soft, Usd hard) {
        Objects.requireNonNull(soft, field + "Soft");
        Objects.requireNonNull(hard, field + "Hard");
        if (soft.micros() < 1) {
            throw new IllegalArgumentException(field + " soft limit must be at least $0.000001: " + soft);
        }
        if (hard.micros() < 1) {
            throw new IllegalArgumentException(field + " hard limit must be at least $0.000001: " + hard);
        }
        if (soft.compareTo(hard) > 0) {
            throw new IllegalArgumentException(field + " soft limit must not exceed the hard limit: " + soft
                    + " > " + hard);
        }
    }

    /** The daily warning level, when a daily budget is set. */
    public Optional<Usd> dailySoft() {
        return Optional.ofNullable(dailySoft);
    }

    /** The daily refusal level, when a daily budget is set. */
    public Optional<Usd> dailyHard() {
        return Optional.ofNullable(dailyHard);
    }

    /** The monthly warning level, when a monthly budget is set. */
    public Optional<Usd> monthlySoft() {
        return Optional.ofNullable(monthlySoft);
    }

    /** The monthly refusal level, when a monthly budget is set. */
    public Optional<Usd> monthlyHard() {
        return Optional.ofNullable(monthlyHard);
    }

    /** The tightest hard limit, micro-USD; 0 when none is set. */
    long smallestHardMicros() {
        long d = dailyHard == null ? 0 : dailyHard.micros();
        long m = monthlyHard == null ? 0 : monthlyHard.micros();
        return d == 0 ? m : m == 0 ? d : Math.min(d, m);
    }

    @Override
    public String toString() {
        return "BudgetLimits[daily=" + (dailyHard == null ? "none" : dailySoft + "/" + dailyHard)
                + ", monthly=" + (monthlyHard == null ? "none" : monthlySoft + "/" + monthlyHard) + "]";
    }
}
