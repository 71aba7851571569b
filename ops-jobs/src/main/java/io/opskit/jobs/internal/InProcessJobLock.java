package io.opskit.jobs.internal;

import io.opskit.api.Ticker;
import io.opskit.api.internal.Checks;
import io.opskit.api.jobs.JobLease;
import io.opskit.api.jobs.JobLock;
import io.opskit.api.jobs.LeaseRequest;
import io.opskit.api.jobs.LockAttempt;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link JobLock} inside one process, with the same contract as the JDBC one (a due time is
 * claimed once; leases expire by a monotonic ticker). Shared by every scheduler in the process that
 * is given it.
 */
public final class InProcessJobLock implements JobLock {

    private record Row(String holder, String runId, Instant due, long untilNanos) {
    }

    private final Ticker ticker;
    private final Map<String, Row> rows = new HashMap<>();

    public InProcessJobLock(Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    @Override
    public synchronized LockAttempt tryAcquire(LeaseRequest request) {
        Objects.requireNonNull(request, "request");
        long now = ticker.read();
        Row row = rows.get(request.job());
        if (row != null && row.untilNanos - now > 0) {
            return new LockAttempt.Held(row.holder, row.runId);
        }
        if (row != null && !row.due.isBefore(request.dueAt())) {
            return new LockAttempt.AlreadyRan(row.holder, row.due);
        }
        rows.put(request.job(), new Row(request.replica(), request.runId(), request.dueAt(),
                now + request.leaseTime().toNanos()));
        return new LockAttempt.Acquired(new JobLease(request.job(), request.runId(), request.replica(),
                request.dueAt(), Instant.now()));
    }

    @Override
    public synchronized boolean renew(JobLease lease, Duration leaseTime) {
        Objects.requireNonNull(lease, "lease");
        Checks.requirePositive(leaseTime, "leaseTime");
        Row row = rows.get(lease.job());
        if (row == null || !row.runId.equals(lease.runId())) {
            return false;
        }
        rows.put(lease.job(), new Row(row.holder, row.runId, row.due, ticker.read() + leaseTime.toNanos()));
        return true;
    }

    @Override
    public synchronized void release(JobLease lease) {
        Objects.requireNonNull(lease, "lease");
        Row row = rows.get(lease.job());
        if (row != null && row.runId.equals(lease.runId())) {
            rows.put(lease.job(), new Row(row.holder, row.runId, row.due, ticker.read()));
        }
    }

    @Override
    public String describe() {
        return "in-process job lock";
    }
}
