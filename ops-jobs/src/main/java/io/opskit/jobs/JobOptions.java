package io.opskit.jobs;

import io.opskit.api.internal.Checks;
import io.opskit.api.internal.DurationText;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How one job runs: the deadline of each attempt, retries, the missed-run policy, the health
 * check's limits and the maintenance window it is confined to.
 *
 * <p>Start from {@link #defaults()} and derive copies; each method validates its argument and
 * throws {@link IllegalArgumentException} whose message names the field and the value. Immutable
 * and thread-safe.
 */
public final class JobOptions {

    private static final JobOptions DEFAULTS = new JobOptions(Duration.ofMinutes(30), Duration.ofSeconds(5),
            RetryPolicy.none(), MissedRunPolicy.SKIP, 3, Duration.ofMinutes(1), null, null);

    private final Duration deadline;
    private final Duration cancelGrace;
    private final RetryPolicy retry;
    private final MissedRunPolicy missedRunPolicy;
    private final int failuresBeforeDegraded;
    private final Duration missedAfter;
    private final @Nullable Duration staleAfter;
    private final @Nullable String window;

    private JobOptions(Duration deadline, Duration cancelGrace, RetryPolicy retry, MissedRunPolicy missedRunPolicy,
                       int failuresBeforeDegraded, Duration missedAfter, @Nullable Duration staleAfter,
                       @Nullable String window) {
        this.deadline = deadline;
        this.cancelGrace = cancelGrace;
        this.retry = retry;
        this.missedRunPolicy = missedRunPolicy;
        this.failuresBeforeDegraded = failuresBeforeDegraded;
        this.missedAfter = missedAfter;
        this.staleAfter = staleAfter;
        this.window = window;
    }

    /**
     * A deadline of 30 minutes per attempt, 5 s of grace after it, no retries, missed runs skipped,
     * DEGRADED after 3 failures in a row or a run missed by more than a minute, no staleness limit,
     * any time (no window).
     *
     * @return the defaults
     */
    public static JobOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A copy whose attempts are cancelled {@code value} after they start: the task's
     * {@link io.opskit.api.task.TaskContext#isCancelled()} turns true and its thread is interrupted.
     *
     * @param value positive, at most 7 days
     * @return the copy
     * @throws IllegalArgumentException when out of range
     */
    public JobOptions withDeadline(Duration value) {
        Checks.requirePositive(value, "deadline", Duration.ofDays(7));
        return new JobOptions(value, cancelGrace, retry, missedRunPolicy, failuresBeforeDegraded, missedAfter,
                staleAfter, window);
    }

    /**
     * A copy that waits {@code value} after a cancelled attempt's deadline for the task to return;
     * after that the attempt is recorded as failed and the lease released even though the task's
     * thread has not returned (a task that ignores cancellation cannot block the schedule).
     *
     * @param value zero or more, at most one hour
     * @return the copy
     * @throws IllegalArgumentException when negative or longer than an hour
     */
    public JobOptions withCancelGrace(Duration value) {
        Checks.requireNonNegative(value, "cancelGrace");
        if (value.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("cancelGrace must be at most 1h: " + DurationText.format(value));
        }
        return new JobOptions(deadline, value, retry, missedRunPolicy, failuresBeforeDegraded, missedAfter,
                staleAfter, window);
    }

    /**
     * A copy that retries failed attempts.
     *
     * @param value the retry policy; not null
     * @return the copy
     */
    public JobOptions withRetry(RetryPolicy value) {
        return new JobOptions(deadline, cancelGrace, Objects.requireNonNull(value, "retry"), missedRunPolicy,
                failuresBeforeDegraded, missedAfter, staleAfter, window);
    }

    /**
     * A copy with another missed-run policy.
     *
     * @param value the policy; not null
     * @return the copy
     */
    public JobOptions missedRunPolicy(MissedRunPolicy value) {
        return new JobOptions(deadline, cancelGrace, retry, Objects.requireNonNull(value, "missedRunPolicy"),
                failuresBeforeDegraded, missedAfter, staleAfter, window);
    }

    /**
     * A copy whose health check turns DEGRADED after {@code value} failed runs in a row.
     *
     * @param value 1 to 1000
     * @return the copy
     * @throws IllegalArgumentException when out of range
     */
    public JobOptions degradedAfterFailures(int value) {
        if (value < 1 || value > 1000) {
            throw new IllegalArgumentException("failuresBeforeDegraded must be between 1 and 1000: " + value);
        }
        return new JobOptions(deadline, cancelGrace, retry, missedRunPolicy, value, missedAfter, staleAfter, window);
    }

    /**
     * A copy whose health check turns DEGRADED when a due run has not started {@code value} after its
     * due time.
     *
     * @param value positive
     * @return the copy
     * @throws IllegalArgumentException when not positive
     */
    public JobOptions missedAfter(Duration value) {
        Checks.requirePositive(value, "missedAfter");
        return new JobOptions(deadline, cancelGrace, retry, missedRunPolicy, failuresBeforeDegraded, value,
                staleAfter, window);
    }

    /**
     * A copy whose health check turns DOWN when the last successful run (on any replica that shares
     * the history) started more than {@code value} ago, or when there has been none for
     * {@code value} since the scheduler started.
     *
     * @param value positive
     * @return the copy
     * @throws IllegalArgumentException when not positive
     */
    public JobOptions staleAfter(Duration value) {
        Checks.requirePositive(value, "staleAfter");
        return new JobOptions(deadline, cancelGrace, retry, missedRunPolicy, failuresBeforeDegraded, missedAfter,
                value, window);
    }

    /**
     * A copy that runs only while the named {@link MaintenanceWindow} is open; due runs outside it are
     * skipped with the reason {@code "outside maintenance window NAME"}.
     *
     * @param windowName the name of a window given to the same {@link OpsJobs.Builder}; not blank
     * @return the copy
     * @throws IllegalArgumentException when blank
     */
    public JobOptions onlyInWindow(String windowName) {
        Checks.requireNonBlank(windowName, "window");
        return new JobOptions(deadline, cancelGrace, retry, missedRunPolicy, failuresBeforeDegraded, missedAfter,
                staleAfter, windowName);
    }

    /** @return the deadline of each attempt */
    public Duration deadline() {
        return deadline;
    }

    /** @return the wait after a deadline for a cancelled task to return */
    public Duration cancelGrace() {
        return cancelGrace;
    }

    /** @return the retry policy */
    public RetryPolicy retry() {
        return retry;
    }

    /** @return the missed-run policy */
    public MissedRunPolicy missedRunPolicy() {
        return missedRunPolicy;
    }

    /** @return failed runs in a row that make the health check DEGRADED */
    public int failuresBeforeDegraded() {
        return failuresBeforeDegraded;
    }

    /** @return how late a due run may start before the health check calls it missed */
    public Duration missedAfter() {
        return missedAfter;
    }

    /** @return the staleness limit of the health check, when set */
    public Optional<Duration> staleAfter() {
        return Optional.ofNullable(staleAfter);
    }

    /** @return the maintenance window the job is confined to, when set */
    public Optional<String> window() {
        return Optional.ofNullable(window);
    }

    @Override
    public String toString() {
        return "JobOptions{deadline=" + DurationText.format(deadline) + ", retry=" + retry + ", missedRunPolicy="
                + missedRunPolicy.wireName() + ", failuresBeforeDegraded=" + failuresBeforeDegraded
                + ", missedAfter=" + DurationText.format(missedAfter)
                + (staleAfter == null ? "" : ", staleAfter=" + DurationText.format(staleAfter))
                + (window == null ? "" : ", window=" + window) + '}';
    }
}
