package io.opskit.backup.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link BackupTask} on a {@link BackupSchedule}, on the host's
 * {@link ScheduledExecutorService} and {@link Clock}.
 *
 * <h2>No overlap</h2>
 * Runs of one runner never overlap. A scheduled run that comes due while a run is still going
 * (or that fires late, after a run that was going at its due time had finished, as happens on a
 * single-threaded executor) is skipped and logged (WARN for the first skip in a row, DEBUG for
 * the next ones until a run starts again); the schedule then goes on as usual.
 * {@link #runNow()} refuses with {@link BackupRunInProgressException} while a run is going.
 *
 * <h2>Missed runs</h2>
 * At {@link #start(Optional)} the host passes the time of the last successful backup (the newest
 * backup in the repository). Runs missed while the host was down are handled by the
 * {@link MissedRunPolicy}: with {@link MissedRunPolicy#RUN_ONCE} (the default) one run starts at
 * once when a scheduled time lies after the last successful backup and at or before now, or when
 * there has never been one; with {@link MissedRunPolicy#SKIP} the first run is the next scheduled
 * one. Either way at most one catch-up run happens, however many runs were missed. If the host is
 * suspended and its timer fires late, that one late run happens and the schedule continues from
 * the current time.
 *
 * <h2>Failures</h2>
 * A task that throws counts as a failed run: logged at WARN (the first failure in a row, with the
 * exception; later ones at DEBUG until a run succeeds again, which is logged at INFO) and not
 * recorded as a success. The schedule continues.
 *
 * <h2>Threads</h2>
 * The runner schedules one timer at a time on the executor. By default the task runs on the
 * executor's thread, occupying it for the run's duration; give the builder a
 * {@link Builder#worker(Executor) worker} executor to keep the scheduler's threads free. A
 * {@link BackupRunListener} hears starts, successes, failures and skips (for metrics).
 * {@link #close()} cancels the timer but does not interrupt a run in progress, and never shuts
 * down the host's executors. Thread-safe.
 */
public final class ScheduledBackupRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduledBackupRunner.class);

    private final String name;
    private final BackupSchedule schedule;
    private final BackupTask task;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final MissedRunPolicy missedRunPolicy;
    private final Duration missedRunDelay;
    private final @Nullable Executor worker;
    private final BackupRunListener listener;

    private boolean started;
    private boolean closed;
    private @Nullable ScheduledFuture<?> timer;
    private @Nullable Instant nextRun;
    private @Nullable Instant runningSince;
    private @Nullable Instant lastRunEnded;
    private @Nullable Instant lastSuccess;
    private boolean failing;
    private long skippedRuns;
    private long completedRuns;
    private long failedRuns;
    private boolean listenerFailing;
    private boolean skipping;

    private ScheduledBackupRunner(Builder b) {
        this.name = b.name;
        this.schedule = Objects.requireNonNull(b.schedule);
        this.task = Objects.requireNonNull(b.task);
        this.executor = Objects.requireNonNull(b.executor);
        this.clock = b.clock;
        this.missedRunPolicy = b.missedRunPolicy;
        this.missedRunDelay = b.missedRunDelay;
        this.worker = b.worker;
        this.listener = b.listener;
    }

    /** Starts a builder; schedule, task and executor are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the schedule: applies the missed-run policy, then schedules the next run.
     *
     * @param lastSuccessfulRun when the newest backup in the repository was taken, or empty when
     *                          there is none
     * @throws IllegalStateException      when the runner was already started or is closed
     * @throws RejectedExecutionException when the executor refuses the timer
     */
    public synchronized void start(Optional<Instant> lastSuccessfulRun) {
        Objects.requireNonNull(lastSuccessfulRun, "lastSuccessfulRun");
        if (started || closed) {
            throw new IllegalStateException("backup runner '" + name + "' was already " + (closed ? "closed" : "started"));
        }
        started = true;
        lastSuccess = lastSuccessfulRun.orElse(null);
        Instant now = clock.instant();
        Instant firstMissed = lastSuccess == null ? null : schedule.nextAfter(lastSuccess);
        boolean missed = lastSuccess == null || !firstMissed.isAfter(now);
        Instant next = schedule.nextAfter(now);
        if (missed && missedRunPolicy == MissedRunPolicy.RUN_ONCE) {
            LOG.info("Backup runner '{}' started ({}): {}; running once {} (missed-run policy RUN_ONCE), then next at {}",
                    name, schedule, lastSuccess == null ? "no earlier backup" : "missed the run due at " + firstMissed,
                    missedRunDelay.isZero() ? "now" : "in " + missedRunDelay, next);
            executor.schedule(() -> fire(null), missedRunDelay.toNanos(), TimeUnit.NANOSECONDS);
        } else {
            LOG.info("Backup runner '{}' started ({}): next run at {}{}", name, schedule, next,
                    missed ? " (missed the run due at " + firstMissed + "; missed-run policy SKIP)" : "");
        }
        arm(next, now);
    }

    private void arm(Instant at, Instant now) {
        // Caller holds the lock.
        nextRun = at;
        long delay = Math.max(0, Duration.between(now, at).toNanos());
        timer = executor.schedule(() -> fire(at), delay, TimeUnit.NANOSECONDS);
    }

    /** A timer fired for the run due at {@code due}, or the start-up catch-up run when null. */
    private void fire(@Nullable Instant due) {
        Instant runStart;
        Instant skippedFor = null;
        Instant busySince = null;
        synchronized (this) {
            if (closed) {
                return;
            }
            Instant now = clock.instant();
            if (due != null) {
                if (now.isBefore(due)) {
                    // The executor's timer ran ahead of the host's clock: wait for the rest.
                    rearm(due, now);
                    return;
                }
                rearm(schedule.nextAfter(now.isAfter(due) ? now : due), now);
            }
            boolean busy = runningSince != null || (due != null && lastRunEnded != null && lastRunEnded.isAfter(due));
            if (busy) {
                skippedRuns++;
                skippedFor = due != null ? due : now;
                busySince = runningSince != null ? runningSince : skippedFor;
                String message = "Backup runner '{}' skipped the {}: the previous run, started at {}, was still in"
                        + " progress; runs never overlap";
                Object what = due != null ? "run due at " + due : "catch-up run";
                Object since = runningSince != null ? runningSince : "an earlier time";
                if (skipping) {
                    LOG.debug(message, name, what, since);
                } else {
                    skipping = true;
                    LOG.warn(message, name, what, since);
                }
            } else {
                skipping = false;
                runningSince = now;
            }
            runStart = now;
        }
        if (skippedFor != null) {
            Instant skippedDue = skippedFor;
            Instant inProgressSince = busySince;
            notifyListener(l -> l.runSkipped(skippedDue, inProgressSince));
            return;
        }
        Runnable run = () -> {
            try {
                runTask(() -> {
                    task.run();
                    return null;
                }, runStart);
            } catch (Exception e) {
                // Already recorded, logged and reported by runTask; the schedule goes on.
            }
        };
        if (worker == null) {
            run.run();
            return;
        }
        try {
            worker.execute(run);
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                runningSince = null;
                failedRuns++;
            }
            LOG.warn("Backup runner '{}' could not start the run due at {}: the worker executor rejected it ({})",
                    name, due != null ? due : runStart, e.toString());
        }
    }

    private void rearm(Instant at, Instant now) {
        try {
            arm(at, now);
        } catch (RejectedExecutionException e) {
            nextRun = null;
            LOG.warn("Backup runner '{}' stopped scheduling: the executor rejected the next timer ({})", name, e.toString());
        }
    }

    /**
     * Runs the configured task now on the calling thread, unless a run is in progress. Counts as a
     * run: a success updates {@link #lastSuccess()}, and a scheduled run that comes due meanwhile
     * is skipped. Works before {@link #start} and after {@link #close()} too.
     *
     * @throws BackupRunInProgressException when a run of this runner is in progress
     * @throws Exception                    what the task threw
     */
    public void runNow() throws Exception {
        runNow(() -> {
            task.run();
            return null;
        });
    }

    /**
     * Runs the given backup work now on the calling thread, in place of the configured task and
     * under the same no-overlap guard, and returns its result, for example the new backup's id
     * for an admin endpoint. Counts as a run like {@link #runNow()}.
     *
     * @param backup the work; not null
     * @param <T>    the work's result type
     * @return what the work returned
     * @throws BackupRunInProgressException when a run of this runner is in progress
     * @throws Exception                    what the work threw
     */
    public <T> T runNow(Callable<T> backup) throws Exception {
        Objects.requireNonNull(backup, "backup");
        Instant runStart;
        synchronized (this) {
            if (runningSince != null) {
                throw new BackupRunInProgressException(name, runningSince);
            }
            runStart = clock.instant();
            runningSince = runStart;
        }
        return runTask(backup, runStart);
    }

    private <T> T runTask(Callable<T> work, Instant started) throws Exception {
        boolean finished = false;
        notifyListener(l -> l.runStarted(started));
        try {
            LOG.debug("Backup runner '{}' run started at {}", name, started);
            T result = work.call();
            Duration took = Duration.between(started, finish(true, started));
            finished = true;
            notifyListener(l -> l.runSucceeded(started, took));
            return result;
        } catch (Exception e) {
            Duration took = Duration.between(started, finish(false, started));
            finished = true;
            recordFailure(e, started);
            notifyListener(l -> l.runFailed(started, took, e));
            throw e;
        } finally {
            if (!finished) {
                // An Error: release the guard so the schedule is not blocked forever.
                finish(false, started);
            }
        }
    }

    private void notifyListener(java.util.function.Consumer<BackupRunListener> call) {
        try {
            call.accept(listener);
            synchronized (this) {
                listenerFailing = false;
            }
        } catch (RuntimeException e) {
            boolean first;
            synchronized (this) {
                first = !listenerFailing;
                listenerFailing = true;
            }
            if (first) {
                LOG.warn("Backup runner '{}': a run listener threw; ignoring it", name, e);
            } else {
                LOG.debug("Backup runner '{}': a run listener threw again: {}", name, e.toString());
            }
        }
    }

    private synchronized void recordFailure(Exception e, Instant started) {
        failedRuns++;
        if (!failing) {
            failing = true;
            LOG.warn("Backup runner '{}' run started at {} failed; the schedule continues", name, started, e);
        } else {
            LOG.debug("Backup runner '{}' run started at {} failed again: {}", name, started, e.toString());
        }
    }

    private synchronized Instant finish(boolean ok, Instant started) {
        Instant now = clock.instant();
        runningSince = null;
        notifyAll();
        lastRunEnded = now;
        if (ok) {
            completedRuns++;
            lastSuccess = started;
            if (failing) {
                failing = false;
                LOG.info("Backup runner '{}' succeeded again (run started at {})", name, started);
            }
            LOG.debug("Backup runner '{}' run started at {} finished at {}", name, started, now);
        }
        return now;
    }

    /** The runner's name, as it appears in log lines. */
    public String name() {
        return name;
    }

    /** The schedule. */
    public BackupSchedule schedule() {
        return schedule;
    }

    /**
     * When the last successful run started (or the time given to {@link #start}); empty when
     * there has been none.
     */
    public synchronized Optional<Instant> lastSuccess() {
        return Optional.ofNullable(lastSuccess);
    }

    /** When the next scheduled run is due; empty before {@link #start}, after {@link #close()}. */
    public synchronized Optional<Instant> nextRun() {
        return closed ? Optional.empty() : Optional.ofNullable(nextRun);
    }

    /** Whether a run is in progress now. */
    public synchronized boolean isRunning() {
        return runningSince != null;
    }

    /** How many scheduled runs were skipped because a run was in progress. */
    public synchronized long skippedRuns() {
        return skippedRuns;
    }

    /** How many runs (scheduled, catch-up or {@code runNow}) succeeded since construction. */
    public synchronized long completedRuns() {
        return completedRuns;
    }

    /** How many runs failed since construction. */
    public synchronized long failedRuns() {
        return failedRuns;
    }

    /**
     * Waits until no run is in progress, for a graceful shutdown: {@code runner.close();
     * runner.awaitIdle(Duration.ofSeconds(30));} then close what the backup reads from. Measures the
     * wait with {@link System#nanoTime()}, not the runner's clock.
     *
     * @param timeout the longest time to wait; zero or negative checks without waiting
     * @return true when no run is in progress, false when one still was at the timeout
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        while (runningSince != null) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, remaining);
        }
        return true;
    }

    /**
     * Stops scheduling: cancels the pending timer. A run in progress finishes undisturbed. The
     * host's executor is not shut down. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (timer != null) {
            timer.cancel(false);
        }
        if (started) {
            LOG.info("Backup runner '{}' stopped", name);
        }
    }

    @Override
    public String toString() {
        return "ScheduledBackupRunner{" + name + ", " + schedule + '}';
    }

    /** Builds a {@link ScheduledBackupRunner}. Not thread-safe; use from one thread. */
    public static final class Builder {
        private String name = "backup";
        private @Nullable BackupSchedule schedule;
        private @Nullable BackupTask task;
        private @Nullable ScheduledExecutorService executor;
        private Clock clock = Clock.systemUTC();
        private MissedRunPolicy missedRunPolicy = MissedRunPolicy.RUN_ONCE;
        private Duration missedRunDelay = Duration.ZERO;
        private @Nullable Executor worker;
        private BackupRunListener listener = new BackupRunListener() { };

        private Builder() {
        }

        /**
         * The name used in log lines and refusals; default {@code "backup"}.
         *
         * @throws IllegalArgumentException when blank
         */
        public Builder name(String value) {
            Objects.requireNonNull(value, "name");
            if (value.isBlank()) {
                throw new IllegalArgumentException("name must not be blank: '" + value + "'");
            }
            this.name = value;
            return this;
        }

        /** When to run; required. */
        public Builder schedule(BackupSchedule value) {
            this.schedule = Objects.requireNonNull(value, "schedule");
            return this;
        }

        /** What to run; required. */
        public Builder task(BackupTask value) {
            this.task = Objects.requireNonNull(value, "task");
            return this;
        }

        /** The host's executor the timers and runs go on; required, never shut down by the runner. */
        public Builder executor(ScheduledExecutorService value) {
            this.executor = Objects.requireNonNull(value, "executor");
            return this;
        }

        /** The clock run times are computed with; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** What to do about runs missed while the host was down; default {@link MissedRunPolicy#RUN_ONCE}. */
        public Builder missedRunPolicy(MissedRunPolicy value) {
            this.missedRunPolicy = Objects.requireNonNull(value, "missedRunPolicy");
            return this;
        }

        /**
         * How long after {@link ScheduledBackupRunner#start} the {@link MissedRunPolicy#RUN_ONCE}
         * catch-up run starts, so it does not compete with the host's own start-up; default zero.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder missedRunDelay(Duration value) {
            Objects.requireNonNull(value, "missedRunDelay");
            if (value.isNegative()) {
                throw new IllegalArgumentException("missedRunDelay must not be negative: " + value);
            }
            this.missedRunDelay = value;
            return this;
        }

        /**
         * Runs each backup on this executor instead of on the scheduler's thread, so a long backup
         * does not hold a thread other scheduled work needs. The no-overlap guard is the same.
         * Default: none, backups run on the scheduler's thread.
         */
        public Builder worker(Executor value) {
            this.worker = Objects.requireNonNull(value, "worker");
            return this;
        }

        /** Hears runs, failures and skips (for metrics, say); default none. */
        public Builder listener(BackupRunListener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /**
         * Builds the runner; call {@link ScheduledBackupRunner#start} to begin.
         *
         * @throws IllegalArgumentException when schedule, task or executor is missing
         */
        public ScheduledBackupRunner build() {
            if (schedule == null) {
                throw new IllegalArgumentException("schedule must be set: null");
            }
            if (task == null) {
                throw new IllegalArgumentException("task must be set: null");
            }
            if (executor == null) {
                throw new IllegalArgumentException("executor must be set: null");
            }
            return new ScheduledBackupRunner(this);
        }
    }
}
