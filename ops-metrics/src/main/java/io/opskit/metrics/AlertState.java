package io.opskit.metrics;

/** Where an {@link AlertRule} stands, as in Prometheus. */
public enum AlertState {
    /** The condition does not hold. */
    INACTIVE,
    /** The condition holds, not yet for the rule's {@code for} duration. */
    PENDING,
    /** The condition has held for the {@code for} duration; notified. */
    FIRING
}
