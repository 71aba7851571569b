package io.opskit.api.jobs;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One run of a job, as history records it.
 *
 * @param job       the job's name
 * @param runId     unique to the run
 * @param replica   the replica that ran (or skipped) it
 * @param dueAt     its scheduled time
 * @param startedAt when it started, by that replica's clock
 * @param endedAt   when it ended; empty while {@link RunOutcome#RUNNING}
 * @param outcome   how it ended
 * @param summary   one line: the task's summary or the failure's reason; never a secret
 */
public record JobRun(String job, String runId, String replica, Instant dueAt, Instant startedAt,
                     Optional<Instant> endedAt, RunOutcome outcome, String summary) {

    /** Validates. */
    public JobRun {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(dueAt, "dueAt");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(summary, "summary");
    }

    /**
     * A copy that ended at {@code at} with {@code outcome} and {@code summary}.
     *
     * @param at      when it ended
     * @param outcome how
     * @param summary one line
     * @return the ended run
     */
    public JobRun ended(Instant at, RunOutcome outcome, String summary) {
        return new JobRun(job, runId, replica, dueAt, startedAt, Optional.of(at), outcome, summary);
    }
}
