package io.opskit.api.jobs;

import java.time.Instant;
import java.util.Objects;

/**
 * A lease handed out by a {@link JobLock}: the right to run one due run of a job.
 *
 * @param job        the job's name
 * @param runId      the run holding the lease; identifies it for renewal and release
 * @param holder     the replica holding it
 * @param dueAt      the due time the lease was acquired for
 * @param acquiredAt when it was acquired, by the acquiring replica's clock (for display only)
 */
public record JobLease(String job, String runId, String holder, Instant dueAt, Instant acquiredAt) {

    /** Validates. */
    public JobLease {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(dueAt, "dueAt");
        Objects.requireNonNull(acquiredAt, "acquiredAt");
    }
}
