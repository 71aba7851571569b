package io.opskit.api.health;

/**
 * The state of a check or of an aggregate of checks.
 *
 * <p>The default aggregation order, from worst to best, is {@link #DOWN},
 * {@link #OUT_OF_SERVICE}, {@link #UNKNOWN}, {@link #DEGRADED}, {@link #UP}; ops-health lets a
 * host configure another order. {@link #severity()} gives that default rank.
 */
public enum HealthStatus {
    /** Working as intended. */
    UP(0),
    /** Working, with reduced capacity or a failing non-critical dependency. Still serves traffic. */
    DEGRADED(1),
    /** The state could not be determined (no result yet, or a timeout configured as unknown). */
    UNKNOWN(2),
    /** Deliberately taken out of service, for example in maintenance mode. */
    OUT_OF_SERVICE(3),
    /** Not working. */
    DOWN(4);

    private final int severity;

    HealthStatus(int severity) {
        this.severity = severity;
    }

    /**
     * The default rank of this status: 0 for {@link #UP}, higher is worse.
     *
     * @return the rank, from 0 to 4
     */
    public int severity() {
        return severity;
    }

    /**
     * The worse of two statuses under the default order.
     *
     * @param other another status; not null
     * @return {@code this} or {@code other}, whichever has the higher {@link #severity()}
     */
    public HealthStatus worst(HealthStatus other) {
        return other.severity > severity ? other : this;
    }
}
