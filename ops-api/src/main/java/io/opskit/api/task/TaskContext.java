package io.opskit.api.task;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What a running {@link OpsTask} may know and tell about its run: its deadline and cancellation,
 * a progress sink, and the log context the runner put in place. Supplied by the runner; a host
 * that runs a task alone uses {@link #standalone}. Implementations are thread-safe.
 */
public interface TaskContext {

    /** @return the name of the task being run */
    String taskName();

    /** @return an id unique to this run, also in the log context as {@code run_id} */
    String runId();

    /** @return when this run started, by {@link #clock()} */
    Instant startedAt();

    /** @return the moment after which the run is cancelled */
    Instant deadline();

    /** @return the clock the runner measures this run with */
    Clock clock();

    /**
     * Whether the run should stop: its deadline passed or its runner cancelled it (shutdown, a
     * lost lease).
     *
     * @return true when the task should stop as soon as it safely can
     */
    boolean isCancelled();

    /**
     * Throws when {@link #isCancelled()}; call it between steps.
     *
     * @throws TaskCancelledException when the run is cancelled
     */
    void checkCancelled();

    /**
     * Reports progress; runners may expose it in history or logs. Cheap to call; never throws.
     *
     * @param fraction how much is done, 0 to 1 (clamped)
     * @param message  one line on what is being done now
     */
    void progress(double fraction, String message);

    /**
     * The keys the runner put in the logging context (MDC) for this run, such as {@code job},
     * {@code run_id} and {@code replica}; a task that hands work to other threads copies them.
     *
     * @return an unmodifiable map
     */
    Map<String, String> logContext();

    /**
     * The scheduled time this run is for, when a scheduler started it for a due time (the same on
     * every replica, unlike {@link #startedAt()}); empty for a run started by hand or alone. A task
     * that writes one record per scheduled run keys it by this.
     *
     * @return the due time, or empty
     */
    default Optional<Instant> dueAt() {
        return Optional.empty();
    }

    /** @return the time left before the deadline, zero once it passed */
    default Duration remaining() {
        Duration left = Duration.between(clock().instant(), deadline());
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * A context for running a task alone, outside any scheduler: the deadline is
     * {@code timeout} from now, progress is discarded, nothing else can cancel it.
     *
     * @param taskName the task's name; not blank
     * @param timeout  how long the run may take; positive
     * @param clock    the clock to measure it with; not null
     * @return a new context
     * @throws IllegalArgumentException when {@code timeout} is not positive or {@code taskName} blank
     */
    static TaskContext standalone(String taskName, Duration timeout, Clock clock) {
        return new StandaloneTaskContext(taskName, timeout, clock);
    }
}
