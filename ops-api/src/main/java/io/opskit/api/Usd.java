package io.opskit.api;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * An exact amount of US dollars, held as a whole number of micro-dollars (one millionth of a
 * dollar). Every Opskit API that takes or returns money uses this type, so amounts add up exactly
 * and never drift as binary floating point does.
 *
 * <p>Amounts may be negative (a refund, a difference). Arithmetic throws
 * {@link ArithmeticException} on overflow rather than wrapping. Immutable and thread-safe.
 *
 * @param micros the amount in micro-dollars
 */
public record Usd(long micros) implements Comparable<Usd> {

    /** Zero dollars. */
    public static final Usd ZERO = new Usd(0);

    private static final BigDecimal MICROS_PER_DOLLAR = BigDecimal.valueOf(1_000_000);

    /**
     * An amount in micro-dollars.
     *
     * @param micros micro-dollars
     * @return the amount
     */
    public static Usd ofMicros(long micros) {
        return micros == 0 ? ZERO : new Usd(micros);
    }

    /**
     * Parses a decimal amount of dollars such as {@code "0.0025"}, {@code "100"} or {@code "$1.50"}.
     * At most six decimal places are accepted: anything finer cannot be held exactly.
     *
     * @param text the amount; not null
     * @return the amount
     * @throws IllegalArgumentException when the text is not a decimal number, has more than six
     *                                  decimal places, or does not fit
     */
    public static Usd parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        if (s.startsWith("$")) {
            s = s.substring(1);
        }
        if (s.isEmpty() || s.length() > 40) {
            throw new IllegalArgumentException("not a dollar amount: '" + text + "'");
        }
        try {
            BigDecimal dollars = new BigDecimal(s);
            return ofMicros(dollars.multiply(MICROS_PER_DOLLAR).setScale(0, RoundingMode.UNNECESSARY)
                    .longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "dollar amount must have at most 6 decimal places and fit in 64 bits: '" + text + "'", e);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a dollar amount: '" + text + "'", e);
        }
    }

    /**
     * Converts a dollar amount given as a {@code double}, rounding half up to the nearest
     * micro-dollar. Prefer {@link #parse(String)} for configured values.
     *
     * @param dollars the amount in dollars
     * @return the amount
     * @throws IllegalArgumentException when {@code dollars} is NaN, infinite or out of range
     */
    public static Usd ofDollars(double dollars) {
        if (Double.isNaN(dollars) || Double.isInfinite(dollars)) {
            throw new IllegalArgumentException("dollars must be a finite number: " + dollars);
        }
        double micros = dollars * 1_000_000d;
        if (Math.abs(micros) >= 9.2e18) {
            throw new IllegalArgumentException("dollars out of range: " + dollars);
        }
        return ofMicros(Math.round(micros));
    }

    /**
     * The sum of this and {@code other}.
     *
     * @param other the amount to add; not null
     * @return the sum
     * @throws ArithmeticException on overflow
     */
    public Usd plus(Usd other) {
        return ofMicros(Math.addExact(micros, other.micros));
    }

    /**
     * This minus {@code other}.
     *
     * @param other the amount to subtract; not null
     * @return the difference
     * @throws ArithmeticException on overflow
     */
    public Usd minus(Usd other) {
        return ofMicros(Math.subtractExact(micros, other.micros));
    }

    /**
     * This amount times {@code factor}.
     *
     * @param factor a whole multiplier
     * @return the product
     * @throws ArithmeticException on overflow
     */
    public Usd times(long factor) {
        return ofMicros(Math.multiplyExact(micros, factor));
    }

    /** @return whether this is exactly zero */
    public boolean isZero() {
        return micros == 0;
    }

    /** @return whether this is below zero */
    public boolean isNegative() {
        return micros < 0;
    }

    /** @return the amount in dollars, for display or a gauge; may lose precision beyond 2^53 micros */
    public double toDollars() {
        return micros / 1_000_000d;
    }

    /** @return the exact amount in dollars */
    public BigDecimal toBigDecimal() {
        return BigDecimal.valueOf(micros, 6).stripTrailingZeros();
    }

    @Override
    public int compareTo(Usd other) {
        return Long.compare(micros, other.micros);
    }

    /** @return the amount as {@code $1.234567}, with at least two decimal places */
    @Override
    public String toString() {
        BigDecimal d = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
        if (d.scale() < 2) {
            d = d.setScale(2, RoundingMode.UNNECESSARY);
        }
        String plain = d.toPlainString();
        return plain.startsWith("-") ? "-$" + plain.substring(1) : "$" + plain;
    }
}
