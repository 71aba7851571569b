package io.opskit.api.task;

import io.opskit.api.internal.Checks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/** The context of a task run alone: cancelled only by its deadline. */
final class StandaloneTaskContext implements TaskContext {

    private final String taskName;
    private final String runId = UUID.randomUUID().toString();
    private final Clock clock;
    private final Instant startedAt;
    private final Instant deadline;

    StandaloneTaskContext(String taskName, Duration timeout, Clock clock) {
        this.taskName = Checks.requireNonBlank(taskName, "taskName");
        Checks.requirePositive(timeout, "timeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.startedAt = clock.instant();
        Instant end;
        try {
            end = startedAt.plus(timeout);
        } catch (ArithmeticException | java.time.DateTimeException e) {
            end = Instant.MAX;
        }
        this.deadline = end;
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
    public Instant deadline() {
        return deadline;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public boolean isCancelled() {
        return !clock.instant().isBefore(deadline);
    }

    @Override
    public void checkCancelled() {
        if (isCancelled()) {
            throw new TaskCancelledException(taskName, "deadline " + deadline + " passed");
        }
    }

    @Override
    public void progress(double fraction, String message) {
        // Nobody watches a standalone run's progress.
    }

    @Override
    public Map<String, String> logContext() {
        return Map.of("task", taskName, "run_id", runId);
    }
}
