package io.opskit.api.jobs;

import java.time.Duration;

/**
 * A lease per job, shared by every replica that schedules the job, so that each due run happens
 * once across them.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #tryAcquire} succeeds for at most one request per job at a time, and at most once for
 *       each due time: a request whose {@link LeaseRequest#dueAt()} is not later than the due time
 *       of the last acquired lease of that job is refused with {@link LockAttempt.AlreadyRan}, even
 *       after that lease ended. This is what makes a run happen once when replicas' clocks disagree:
 *       the replica that sees a due time first claims it and the others find it claimed.</li>
 *   <li>A lease lasts {@link LeaseRequest#leaseTime()} from acquisition unless renewed; when its
 *       holder dies the lease expires by itself and another replica may acquire the job's next due
 *       run. Implementations measure lease times with one clock all replicas share (a database's),
 *       so skew between replicas' clocks does not shorten or lengthen a lease.</li>
 *   <li>{@link #renew} and {@link #release} act only on the lease they are given (matched by its
 *       {@link JobLease#runId()}): a holder whose lease was taken over cannot release the new one.</li>
 * </ul>
 * Implementations must be thread-safe. They may throw an unchecked exception when their store is
 * unreachable; the scheduler records the run as failed and tries again at the next due time.
 */
public interface JobLock {

    /**
     * Tries to take the lease for one due run of a job, in one conditional write.
     *
     * @param request the job, its due time, who asks and for how long; not null
     * @return {@link LockAttempt.Acquired} with the lease, or why it was refused
     */
    LockAttempt tryAcquire(LeaseRequest request);

    /**
     * Extends a held lease to {@code leaseTime} from now, by the lock's clock.
     *
     * @param lease     a lease this lock handed out; not null
     * @param leaseTime how long from now the lease lasts; positive
     * @return true when the lease is still this run's and was extended; false when it was lost
     *         (taken over after expiring), in which case the run should stop
     */
    boolean renew(JobLease lease, Duration leaseTime);

    /**
     * Ends a lease, so the job's next due run may be acquired at once. Does nothing when the lease
     * is no longer this run's. Idempotent.
     *
     * @param lease a lease this lock handed out; not null
     */
    void release(JobLease lease);

    /**
     * A short description for log lines and admin pages, such as
     * {@code "JDBC job lock (PostgreSQL, tables opskit_job_*)"}; never a secret.
     *
     * @return the description
     */
    default String describe() {
        return getClass().getSimpleName();
    }
}
