package io.opskit.api.internal;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Argument and state checks whose messages name the field and the value, as every Opskit builder
 * promises ({@code "timeout must be positive: PT0S"}). Each returns the checked value.
 */
public final class Checks {

    private Checks() {
    }

    /**
     * @throws IllegalArgumentException when {@code value} is zero or negative
     * @throws NullPointerException     when {@code value} is null (naming {@code field})
     */
    public static Duration requirePositive(Duration value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(field + " must be positive: " + value);
        }
        return value;
    }

    /**
     * @throws IllegalArgumentException when {@code value} is not positive or exceeds {@code max}
     */
    public static Duration requirePositive(Duration value, String field, Duration max) {
        requirePositive(value, field);
        if (value.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + " must be at most " + max + ": " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException when {@code value} is negative */
    public static Duration requireNonNegative(Duration value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isNegative()) {
            throw new IllegalArgumentException(field + " must not be negative: " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException when {@code value} is zero or negative */
    public static long requirePositive(long value, String field) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive: " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException when {@code value} is negative */
    public static long requireNonNegative(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must not be negative: " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException when {@code value} is NaN or outside {@code [min, max]} */
    public static double requireInRange(double value, double min, double max, String field) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ": " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException when {@code value} is empty or only white space */
    public static String requireNonBlank(String value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank: '" + value + "'");
        }
        return value;
    }

    /**
     * For set-once builder properties.
     *
     * @throws IllegalStateException when {@code current} is already set
     */
    public static void requireUnset(@Nullable Object current, String field) {
        if (current != null) {
            throw new IllegalStateException(field + " was already set");
        }
    }

    /**
     * A set-once builder property in one line: {@code clock = Checks.setOnce(clock, value, "clock");}.
     *
     * @return {@code value}
     * @throws NullPointerException  naming {@code field} when {@code value} is null
     * @throws IllegalStateException when {@code current} is already set
     */
    public static <T> T setOnce(@Nullable T current, T value, String field) {
        java.util.Objects.requireNonNull(value, field);
        requireUnset(current, field);
        return value;
    }

    /**
     * For required builder properties, checked in {@code build()}.
     *
     * @throws IllegalStateException when {@code value} is null
     */
    public static <T> T requirePresent(@Nullable T value, String field) {
        if (value == null) {
            throw new IllegalStateException(field + " is required");
        }
        return value;
    }
}
