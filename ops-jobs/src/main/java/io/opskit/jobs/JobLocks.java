package io.opskit.jobs;

import io.opskit.api.Ticker;
import io.opskit.api.jobs.JobLock;
import io.opskit.jobs.internal.InProcessJobLock;

/**
 * Ready-made {@link JobLock}s: {@link #inProcess()} for one process, and
 * {@link JdbcJobLock#builder(javax.sql.DataSource)} for replicas sharing a database.
 */
public final class JobLocks {

    private JobLocks() {
    }

    /**
     * A lock inside this process: enough for one replica (the default of {@link OpsJobs}), or for
     * several schedulers in one JVM that are given the same instance. Leases are measured with
     * {@link Ticker#system()}.
     *
     * @return a new lock; thread-safe
     */
    public static JobLock inProcess() {
        return new InProcessJobLock(Ticker.system());
    }

    /**
     * A lock inside this process whose leases are measured with {@code ticker} (for tests).
     *
     * @param ticker monotonic nanoseconds; not null
     * @return a new lock; thread-safe
     */
    public static JobLock inProcess(Ticker ticker) {
        return new InProcessJobLock(ticker);
    }
}
