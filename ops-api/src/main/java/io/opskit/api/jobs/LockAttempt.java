package io.opskit.api.jobs;

import java.time.Instant;
import java.util.Objects;

/**
 * The answer of {@link JobLock#tryAcquire}: {@link Acquired}, {@link Held} or {@link AlreadyRan}.
 */
public sealed interface LockAttempt permits LockAttempt.Acquired, LockAttempt.Held, LockAttempt.AlreadyRan {

    /**
     * The lease is this run's: run the job, renew while it runs, release at the end.
     *
     * @param lease the lease
     */
    record Acquired(JobLease lease) implements LockAttempt {
        /** Validates. */
        public Acquired {
            Objects.requireNonNull(lease, "lease");
        }
    }

    /**
     * Another run holds the job's lease: its replica is running the job now.
     *
     * @param holder the replica holding the lease
     * @param runId  the run holding it
     */
    record Held(String holder, String runId) implements LockAttempt {
        /** Validates. */
        public Held {
            Objects.requireNonNull(holder, "holder");
            Objects.requireNonNull(runId, "runId");
        }
    }

    /**
     * The lease is free, but a run for this due time (or a later one) was already claimed.
     *
     * @param holder the replica that claimed it
     * @param dueAt  the due time it claimed, at or after the requested one
     */
    record AlreadyRan(String holder, Instant dueAt) implements LockAttempt {
        /** Validates. */
        public AlreadyRan {
            Objects.requireNonNull(holder, "holder");
            Objects.requireNonNull(dueAt, "dueAt");
        }
    }
}
