package io.opskit.jobs.internal;

import io.opskit.api.task.TaskCancelledException;
import io.opskit.api.task.TaskContext;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The context of one attempt of a scheduled run. Cancelling it interrupts the task's thread. */
public final class RunContext implements TaskContext {

    private final String taskName;
    private final String runId;
    private final Instant startedAt;
    private final Instant deadline;
    private final @Nullable Instant dueAt;
    private final Clock clock;
    private final Map<String, String> logContext;
    private @Nullable String cancelReason;
    private @Nullable Thread thread;
    private volatile double progress;
    private volatile String progressMessage = "";

    RunContext(String taskName, String runId, @Nullable Instant dueAt, Instant startedAt, Instant deadline, Clock clock,
               Map<String, String> logContext) {
        this.dueAt = dueAt;
        this.taskName = taskName;
        this.runId = runId;
        this.startedAt = startedAt;
        this.deadline = deadline;
        this.clock = clock;
        this.logContext = Map.copyOf(logContext);
    }

    @Override
    public String taskName() {
        return taskName;
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public Optional<Instant> dueAt() {
        return Optional.ofNullable(dueAt);
    }

    @Override
    public Instant deadline() {
        return deadline;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public boolean isCancelled() {
        return cancelReason() != null || !clock.instant().isBefore(deadline);
    }

    @Override
    public void checkCancelled() {
        if (isCancelled()) {
            String reason = cancelReason();
            throw new TaskCancelledException(taskName, reason != null ? reason : "deadline " + deadline + " passed");
        }
    }

    @Override
    public void progress(double fraction, String message) {
        progress = Double.isNaN(fraction) ? 0 : Math.max(0, Math.min(1, fraction));
        progressMessage = message == null ? "" : message;
    }

    /** @return the last progress fraction reported */
    public double progressFraction() {
        return progress;
    }

    /** @return the last progress message reported */
    public String progressMessage() {
        return progressMessage;
    }

    @Override
    public Map<String, String> logContext() {
        return logContext;
    }

    /** Why the runner cancelled the run, or null. */
    synchronized @Nullable String cancelReason() {
        return cancelReason;
    }

    /** Cancels (first reason wins) and interrupts the task's thread if it is running. */
    synchronized void cancel(String reason) {
        if (cancelReason == null) {
            cancelReason = reason;
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    synchronized void bind(Thread t) {
        thread = t;
        if (cancelReason != null) {
            t.interrupt();
        }
    }

    synchronized void unbind() {
        thread = null;
    }
}
