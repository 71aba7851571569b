package io.opskit.jobs.internal;

import io.opskit.api.jobs.RunOutcome;
import java.time.Instant;

/** What the scheduler reports about runs; {@link #NONE} without a registry. */
public interface JobMetrics {

    /** Records nothing. */
    JobMetrics NONE = new JobMetrics() { };

    /** A job was registered: meters with a known label set start at zero. */
    default void register(String job) {
    }

    /** A run (or skip) of {@code job} ended with {@code outcome}; {@code nanos} is negative for skips. */
    default void runEnded(String job, RunOutcome outcome, long nanos) {
    }

    /** The last successful run of {@code job} started at {@code at}. */
    default void lastSuccess(String job, Instant at) {
    }

    /** Whether {@code job} is running on this replica now. */
    default void running(String job, boolean running) {
    }
}
