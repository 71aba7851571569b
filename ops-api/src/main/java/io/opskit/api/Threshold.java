package io.opskit.api;

import java.util.Objects;

/**
 * A pair of warning and critical levels with a direction, as the operations manuals give
 * them ("target &lt; 70 %, warning 70 %, critical 85 %").
 *
 * <p>For {@link Direction#ABOVE} a value at or above {@code critical} is {@link Level#CRITICAL},
 * at or above {@code warning} is {@link Level#WARNING}, anything lower is {@link Level#OK}.
 * {@link Direction#BELOW} mirrors that (free disk space, days until a certificate expires).
 * Units are the caller's: the same unit must be used for the levels and the measured value.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param warning  the level at which the value becomes a warning; finite
 * @param critical the level at which the value becomes critical; finite, and not on the
 *                 healthy side of {@code warning}
 * @param direction which side of the levels is bad
 */
public record Threshold(double warning, double critical, Direction direction) {

    /** Which side of a level is bad. */
    public enum Direction {
        /** Higher is worse: usage, latency, size, cost. */
        ABOVE,
        /** Lower is worse: free space, remaining days, hit ratio. */
        BELOW
    }

    /** The outcome of comparing a value with a threshold, from best to worst. */
    public enum Level {
        /** Within the target. */
        OK,
        /** Past the warning level but not the critical one. */
        WARNING,
        /** At or past the critical level. */
        CRITICAL
    }

    /**
     * Validates the levels.
     *
     * @throws IllegalArgumentException when a level is not finite, or when {@code critical}
     *         lies on the healthy side of {@code warning}; the message names the field and value
     * @throws NullPointerException when {@code direction} is null
     */
    public Threshold {
        Objects.requireNonNull(direction, "direction");
        if (!Double.isFinite(warning)) {
            throw new IllegalArgumentException("warning must be a finite number: " + warning);
        }
        if (!Double.isFinite(critical)) {
            throw new IllegalArgumentException("critical must be a finite number: " + critical);
        }
        if (direction == Direction.ABOVE && critical < warning) {
            throw new IllegalArgumentException(
                    "critical must be at or above warning for direction ABOVE: critical=" + critical
                            + ", warning=" + warning);
        }
        if (direction == Direction.BELOW && critical > warning) {
            throw new IllegalArgumentException(
                    "critical must be at or below warning for direction BELOW: critical=" + critical
                            + ", warning=" + warning);
        }
    }

    /**
     * A threshold where higher values are worse.
     *
     * @throws IllegalArgumentException as the canonical constructor
     */
    public static Threshold above(double warning, double critical) {
        return new Threshold(warning, critical, Direction.ABOVE);
    }

    /**
     * A threshold where lower values are worse.
     *
     * @throws IllegalArgumentException as the canonical constructor
     */
    public static Threshold below(double warning, double critical) {
        return new Threshold(warning, critical, Direction.BELOW);
    }

    /**
     * Classifies a measured value. {@code NaN} is treated as {@link Level#CRITICAL}: a value
     * that cannot be measured is never reported as healthy.
     *
     * @param value the measured value, in the unit of the levels
     * @return the level the value falls in; never null
     */
    public Level evaluate(double value) {
        if (Double.isNaN(value)) {
            return Level.CRITICAL;
        }
        if (direction == Direction.ABOVE) {
            if (value >= critical) {
                return Level.CRITICAL;
            }
            return value >= warning ? Level.WARNING : Level.OK;
        }
        if (value <= critical) {
            return Level.CRITICAL;
        }
        return value <= warning ? Level.WARNING : Level.OK;
    }
}
