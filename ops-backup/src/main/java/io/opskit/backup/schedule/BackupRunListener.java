package io.opskit.backup.schedule;

import java.time.Duration;
import java.time.Instant;

/**
 * Hears what a {@link ScheduledBackupRunner} does, for metrics, notifications or an admin page.
 * Every method has a no-op default, so an implementation overrides only what it needs and new
 * callbacks can be added later.
 *
 * <p>Callbacks run synchronously on the thread that ran (or skipped) the backup; keep them short.
 * One that throws is logged at WARN (once until a callback succeeds again) and otherwise ignored:
 * a listener never breaks the schedule.
 */
public interface BackupRunListener {

    /**
     * A run started.
     *
     * @param startedAt when it started, by the runner's clock
     */
    default void runStarted(Instant startedAt) {
    }

    /**
     * A run finished successfully.
     *
     * @param startedAt when it started
     * @param duration  how long it took, by the runner's clock
     */
    default void runSucceeded(Instant startedAt, Duration duration) {
    }

    /**
     * A run failed.
     *
     * @param startedAt when it started
     * @param duration  how long it took until it failed
     * @param error     what the task threw
     */
    default void runFailed(Instant startedAt, Duration duration, Exception error) {
    }

    /**
     * A scheduled run was skipped because a run was still in progress at its due time.
     *
     * @param dueAt        when the skipped run was due
     * @param runningSince when the run in progress started, or the due time when that run had
     *                     already finished by the time the timer fired
     */
    default void runSkipped(Instant dueAt, Instant runningSince) {
    }
}
