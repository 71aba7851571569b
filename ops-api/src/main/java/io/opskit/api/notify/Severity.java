package io.opskit.api.notify;

/** How urgent an {@link OpsEvent} is, from least to most. */
public enum Severity {
    /** For the record: a recovery, a completed backup. */
    INFO,
    /** Someone should look soon: a soft limit crossed, a non-critical check failing. */
    WARNING,
    /** Someone should act now: a critical check down, a hard budget reached, an SLO burning fast. */
    CRITICAL
}
