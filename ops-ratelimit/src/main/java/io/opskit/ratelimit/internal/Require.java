package io.opskit.ratelimit.internal;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the builders of this module; messages name the field and the value. */
public final class Require {

    private Require() {
    }

    /**
     * Returns {@code value} when it is longer than zero.
     *
     * @throws NullPointerException     when {@code value} is null, naming {@code field}
     * @throws IllegalArgumentException when zero or negative: {@code "<field> must be positive: <value>"}
     */
    public static Duration positive(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be positive: " + value);
        }
        return value;
    }
}
