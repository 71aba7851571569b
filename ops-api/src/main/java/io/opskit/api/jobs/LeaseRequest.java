package io.opskit.api.jobs;

import io.opskit.api.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A request for the lease of one due run of a job.
 *
 * @param job       the job's name; not blank
 * @param dueAt     the scheduled time of the run; runs are claimed once per due time
 * @param replica   the name of the replica asking, recorded as the holder; not blank
 * @param runId     an id unique to this run, which identifies the lease for renewal and release;
 *                  not blank, at most 64 characters
 * @param leaseTime how long the lease lasts unless renewed; positive
 */
public record LeaseRequest(String job, Instant dueAt, String replica, String runId, Duration leaseTime) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException when a name is blank, the run id is longer than 64
     *                                  characters or the lease time is not positive
     */
    public LeaseRequest {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(dueAt, "dueAt");
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(leaseTime, "leaseTime");
        if (job.isBlank()) {
            throw new IllegalArgumentException("job must not be blank: '" + job + "'");
        }
        if (replica.isBlank()) {
            throw new IllegalArgumentException("replica must not be blank: '" + replica + "'");
        }
        if (runId.isBlank() || runId.length() > 64) {
            throw new IllegalArgumentException("runId must be 1 to 64 characters: '" + runId + "'");
        }
        Checks.requirePositive(leaseTime, "leaseTime");
    }
}
