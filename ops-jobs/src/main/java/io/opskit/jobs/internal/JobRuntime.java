package io.opskit.jobs.internal;

import io.opskit.api.Ticker;
import io.opskit.api.jobs.JobHistory;
import io.opskit.api.jobs.JobLock;
import io.opskit.api.notify.OpsEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * What every job of one scheduler shares.
 *
 * @param replica      this replica's name
 * @param clock        wall time
 * @param ticker       monotonic time for durations
 * @param scheduler    fires timers
 * @param executor     runs tasks
 * @param lock         the job lock
 * @param shared       the shared history, when the lock (or the host) provides one
 * @param local        this process's history (skips included)
 * @param historySize  runs kept and shown per job
 * @param leaseTime    lease length, renewed every third of it
 * @param metrics      meters
 * @param events       where events go
 * @param windowOpen   whether a named maintenance window is open at an instant
 */
public record JobRuntime(String replica, Clock clock, Ticker ticker, ScheduledExecutorService scheduler,
                         Executor executor, JobLock lock, Optional<JobHistory> shared, JobHistory local,
                         int historySize, Duration leaseTime, JobMetrics metrics, Consumer<OpsEvent> events,
                         WindowState windowOpen) {

    /** Whether a window is open. */
    @FunctionalInterface
    public interface WindowState {
        boolean isOpen(String window, Instant at);
    }

    /** The history readers see: the shared one when there is one. */
    public JobHistory readHistory() {
        return shared.orElse(local);
    }

}
