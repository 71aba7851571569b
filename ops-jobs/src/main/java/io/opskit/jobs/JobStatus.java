package io.opskit.jobs;

import io.opskit.api.jobs.JobRun;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one job for an admin page: its schedule, next due time, whether it runs here now,
 * and its last runs (from the shared history when the lock provides one, so runs on other replicas
 * show with their replica).
 *
 * @param name                the job's name
 * @param schedule            the schedule, as text
 * @param options             its options
 * @param nextRun             the next due time; empty once the scheduler is closed
 * @param runningHere         whether a run of it is in progress on this replica
 * @param lastRuns            its last runs, newest first
 * @param lastSuccess         its last successful run, when it is among the recorded runs
 * @param consecutiveFailures failed runs in a row at the head of {@code lastRuns}
 */
public record JobStatus(String name, String schedule, JobOptions options, Optional<Instant> nextRun,
                        boolean runningHere, List<JobRun> lastRuns, Optional<JobRun> lastSuccess,
                        int consecutiveFailures) {

    /** Validates and copies. */
    public JobStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(nextRun, "nextRun");
        lastRuns = List.copyOf(lastRuns);
        Objects.requireNonNull(lastSuccess, "lastSuccess");
    }
}
