package io.opskit.jobs;

import io.micrometer.core.instrument.MeterRegistry;
import io.opskit.api.Ticker;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.internal.Checks;
import io.opskit.api.jobs.JobHistory;
import io.opskit.api.jobs.JobLock;
import io.opskit.api.jobs.JobRun;
import io.opskit.api.notify.AlertSilence;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import io.opskit.api.task.OpsTask;
import io.opskit.jobs.internal.InMemoryJobHistory;
import io.opskit.jobs.internal.JobHealth;
import io.opskit.jobs.internal.JobMetrics;
import io.opskit.jobs.internal.JobRunner;
import io.opskit.jobs.internal.JobRuntime;
import io.opskit.jobs.internal.MicrometerJobMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler: runs {@link OpsTask}s on their {@link Schedule}s, each due run once across the
 * replicas that share its {@link JobLock}. Start at {@link #builder()}; {@link Builder#build()}
 * returns it running.
 *
 * <h2>A due run</h2>
 * When a job comes due, the replica first checks that no run of it is in progress here (runs of a
 * job never overlap), then asks the lock for the lease of that due time. The replica that gets it
 * runs the task with a {@link io.opskit.api.task.TaskContext} whose deadline is
 * {@link JobOptions#deadline()}, renewing the lease every third of {@link Builder#leaseTime}, retrying
 * failed attempts by the {@link RetryPolicy}, and releases the lease at the end. The others record
 * {@code "skipped: running on replica X"} (or {@code "ran on replica X"} when it already finished)
 * in their own history. A task still running at its deadline is cancelled (its context reports
 * cancellation and its thread is interrupted); if it has not returned {@link JobOptions#cancelGrace()}
 * later, the run is recorded as failed and the lease released, so the next run still happens.
 *
 * <h2>What a run leaves behind</h2>
 * History (the last {@link Builder#historySize(int)} runs per job, in memory and in the lock's
 * {@link JobHistory} when it has one, such as {@link JdbcJobLock}); with a meter registry,
 * {@code opskit.job.runs{job,outcome}} (outcomes {@code success}, {@code failure}, {@code skipped},
 * {@code abandoned}, all registered at zero), {@code opskit.job.duration{job}},
 * {@code opskit.job.last.success.timestamp{job}} and {@code opskit.job.running{job}}; events
 * {@code job.failed}, {@code job.missed} and {@code job.recovered} (source {@code job:NAME}) to every
 * notifier; and a {@link #healthCheck(String) health check} per job.
 *
 * <p>Thread-safe. {@link #close()} stops the timers, cancels runs in progress, waits for them up to
 * {@link Builder#shutdownTimeout(Duration)}, and shuts down only the threads it created.
 */
public final class OpsJobs implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpsJobs.class);
    private static final Pattern REPLICA = Pattern.compile("[A-Za-z0-9._:@-]{1,200}");
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Map<String, JobRunner> runners;
    private final Map<String, HealthCheck> checks;
    private final JobRuntime runtime;
    private final List<Notifier> notifiers;
    private final List<MaintenanceWindow> windows;
    private final Map<String, Boolean> windowOpen = new LinkedHashMap<>();
    private final Map<Notifier, Boolean> notifierWarned = Collections.synchronizedMap(new IdentityHashMap<>());
    private final Duration shutdownTimeout;
    private final @Nullable ExecutorService ownExecutor;
    private final @Nullable ScheduledExecutorService ownScheduler;
    private @Nullable ScheduledFuture<?> windowTimer;
    private boolean closed;

    private OpsJobs(Builder b) {
        this.notifiers = List.copyOf(b.notifiers);
        this.windows = List.copyOf(b.windows.values());
        this.shutdownTimeout = b.shutdownTimeout;
        Clock clock = b.clock != null ? b.clock : Clock.systemUTC();
        Ticker ticker = b.ticker != null ? b.ticker : Ticker.system();
        ScheduledExecutorService scheduler = b.scheduler;
        this.ownScheduler = scheduler == null ? newScheduler() : null;
        if (scheduler == null) {
            scheduler = Objects.requireNonNull(ownScheduler);
        }
        Executor executor = b.executor;
        this.ownExecutor = executor == null ? Executors.newCachedThreadPool(r -> daemon(r, "opskit-job-")) : null;
        if (executor == null) {
            executor = Objects.requireNonNull(ownExecutor);
        }
        JobLock lock = b.lock != null ? b.lock : JobLocks.inProcess(ticker);
        JobHistory shared = b.history != null ? b.history : lock instanceof JobHistory h ? h : null;
        JobMetrics metrics = b.meterRegistry == null ? JobMetrics.NONE : new MicrometerJobMetrics(b.meterRegistry);
        String replica = b.replica != null ? b.replica : defaultReplica();
        for (MaintenanceWindow w : windows) {
            windowOpen.put(w.name(), w.isOpenAt(clock.instant()));
        }
        this.runtime = new JobRuntime(replica, clock, ticker, scheduler, executor, lock, Optional.ofNullable(shared),
                new InMemoryJobHistory(b.historySize), b.historySize, b.leaseTime, metrics, this::publish,
                this::isWindowOpen);
        Map<String, JobRunner> rs = new LinkedHashMap<>();
        Map<String, HealthCheck> hs = new LinkedHashMap<>();
        for (Builder.JobDef d : b.jobs.values()) {
            JobRunner runner = new JobRunner(d.task, d.schedule, d.options, runtime);
            rs.put(d.task.name(), runner);
            hs.put(d.task.name(), new JobHealth(runner, runtime));
        }
        this.runners = Collections.unmodifiableMap(rs);
        this.checks = Collections.unmodifiableMap(hs);
        for (JobRunner r : runners.values()) {
            r.start();
        }
        armWindows();
        LOG.info("Opskit jobs started on replica {} with {} ({} jobs: {})", replica, lock.describe(), runners.size(),
                String.join(", ", runners.keySet()));
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    private static ScheduledExecutorService newScheduler() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "opskit-jobs-timer-"));
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    private static Thread daemon(Runnable r, String prefix) {
        Thread t = new Thread(r, prefix + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    private static String defaultReplica() {
        String host = System.getenv("HOSTNAME");
        String base = host == null || host.isBlank() ? "host" : host.trim();
        String name = base + ":" + ProcessHandle.current().pid();
        return REPLICA.matcher(name).matches() ? name : "replica:" + ProcessHandle.current().pid();
    }

    /** @return this replica's name, as recorded in leases and history */
    public String replica() {
        return runtime.replica();
    }

    /** @return the names of the jobs, in the order they were added */
    public Set<String> jobNames() {
        return runners.keySet();
    }

    /**
     * A snapshot of every job, in the order they were added.
     *
     * @return the statuses; reads the shared history once per job
     */
    public List<JobStatus> jobs() {
        List<JobStatus> out = new ArrayList<>();
        for (String name : runners.keySet()) {
            out.add(status(name));
        }
        return List.copyOf(out);
    }

    /**
     * A snapshot of one job.
     *
     * @param name the job's name
     * @return its status, or empty when there is no such job
     */
    public Optional<JobStatus> job(String name) {
        Objects.requireNonNull(name, "name");
        return runners.containsKey(name) ? Optional.of(status(name)) : Optional.empty();
    }

    private JobStatus status(String name) {
        JobRunner r = requireJob(name);
        List<JobRun> runs = history(name, runtime.historySize());
        return new JobStatus(name, r.schedule().toString(), r.options(), r.nextDue(), r.isRunning(), runs,
                JobHealth.lastSuccess(runs), JobHealth.consecutiveFailures(runs));
    }

    /**
     * The last runs of a job, newest first: from the shared history when there is one (runs on every
     * replica), else this process's (skips included). When the shared history cannot be read, this
     * process's.
     *
     * @param name  the job's name
     * @param limit at most this many; positive
     * @return the runs
     * @throws JobException when there is no such job
     */
    public List<JobRun> history(String name, int limit) {
        requireJob(name);
        Checks.requirePositive(limit, "limit");
        if (runtime.shared().isPresent()) {
            try {
                return runtime.shared().get().recent(name, limit);
            } catch (RuntimeException e) {
                LOG.debug("Job '{}': shared history unreadable ({}); showing this replica's", name, e.toString());
            }
        }
        return runtime.local().recent(name, limit);
    }

    /**
     * This replica's own record of a job's runs and skips, newest first.
     *
     * @param name  the job's name
     * @param limit at most this many; positive
     * @return the runs
     * @throws JobException when there is no such job
     */
    public List<JobRun> localHistory(String name, int limit) {
        requireJob(name);
        Checks.requirePositive(limit, "limit");
        return runtime.local().recent(name, limit);
    }

    /**
     * Runs a job now, under the same lease and no-overlap rules as a scheduled run (its due time is
     * now). The run goes on the scheduler's executor; the answer completes when it ended.
     *
     * @param name the job's name
     * @return completes with the run, or with a skip when a run is in progress here or elsewhere
     * @throws JobException when there is no such job
     */
    public CompletableFuture<JobRun> runNow(String name) {
        return requireJob(name).runNow();
    }

    /**
     * The health check of a job: DOWN past {@link JobOptions#staleAfter}, DEGRADED after
     * {@link JobOptions#degradedAfterFailures} failures in a row or when a due run did not start
     * within {@link JobOptions#missedAfter}, UP otherwise; details say the schedule, next run, last
     * success and where it ran. Register it with ops-health.
     *
     * @param name the job's name
     * @return the check
     * @throws JobException when there is no such job
     */
    public HealthCheck healthCheck(String name) {
        requireJob(name);
        return Objects.requireNonNull(checks.get(name), "every job has a check");
    }

    /** @return the health check of every job, by job name, in the order they were added */
    public Map<String, HealthCheck> healthChecks() {
        return checks;
    }

    /** @return the maintenance windows open now */
    public List<MaintenanceWindow> openWindows() {
        Instant now = runtime.clock().instant();
        return windows.stream().filter(w -> w.isOpenAt(now)).toList();
    }

    /**
     * Wraps a notifier so that it is silenced while a window that {@link MaintenanceWindow#silencing
     * silences} it is open; give the wrapper to other modules (ops-health, ops-metrics) so their
     * events are silenced too.
     *
     * @param notifier the notifier a window silences; not null
     * @return the wrapper
     */
    public Notifier silenceable(Notifier notifier) {
        Objects.requireNonNull(notifier, "notifier");
        return event -> {
            if (!silenced(notifier)) {
                notifier.notify(event);
            }
        };
    }

    /**
     * The alert silence of every maintenance window added: it silences a rule while a window that
     * {@link MaintenanceWindow#silencingAlerts silences} it is open, at the time the caller asks
     * about. Give it to ops-metrics' {@code AlertEvaluator.Builder.silence}.
     *
     * @return the silence; thread-safe
     */
    public AlertSilence alertSilence() {
        return AlertSilence.anyOf(windows);
    }

    private boolean silenced(Notifier notifier) {
        Instant now = runtime.clock().instant();
        for (MaintenanceWindow w : windows) {
            if (w.silences(notifier) && w.isOpenAt(now)) {
                return true;
            }
        }
        return false;
    }

    private boolean isWindowOpen(String window, Instant at) {
        for (MaintenanceWindow w : windows) {
            if (w.name().equals(window)) {
                return w.isOpenAt(at);
            }
        }
        return false;
    }

    private JobRunner requireJob(String name) {
        Objects.requireNonNull(name, "name");
        JobRunner r = runners.get(name);
        if (r == null) {
            throw new JobException(name, "no job named '" + name + "'; the jobs are " + runners.keySet(), null);
        }
        return r;
    }

    private void publish(OpsEvent event) {
        for (Notifier n : notifiers) {
            if (silenced(n)) {
                continue;
            }
            deliver(n, event);
        }
    }

    private void deliver(Notifier n, OpsEvent event) {
        try {
            n.notify(event);
            notifierWarned.remove(n);
        } catch (RuntimeException e) {
            if (notifierWarned.put(n, Boolean.TRUE) == null) {
                LOG.warn("Opskit jobs: a notifier threw on {} ({}); ignoring it", event.type(), e.toString());
            } else {
                LOG.debug("Opskit jobs: a notifier threw again on {}: {}", event.type(), e.toString());
            }
        }
    }

    private synchronized void armWindows() {
        if (closed || windows.isEmpty()) {
            return;
        }
        Instant now = runtime.clock().instant();
        Instant next = Instant.MAX;
        for (MaintenanceWindow w : windows) {
            Instant change = w.nextChangeAfter(now);
            if (change.isBefore(next)) {
                next = change;
            }
        }
        if (next.equals(Instant.MAX)) {
            return;
        }
        long delay = Math.max(0, Duration.between(now, next).toNanos());
        try {
            windowTimer = runtime.scheduler().schedule(this::windowTick, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("Opskit jobs: maintenance windows not tracked, the scheduler is shut down");
        }
    }

    private void windowTick() {
        Instant now = runtime.clock().instant();
        List<OpsEvent> events = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            for (MaintenanceWindow w : windows) {
                boolean open = w.isOpenAt(now);
                Boolean was = windowOpen.put(w.name(), open);
                if (was != null && was != open) {
                    LOG.info("Maintenance window '{}' {}", w.name(), open ? "opened" : "closed");
                    events.add(new OpsEvent("maintenance:" + w.name(), open ? "maintenance.started" : "maintenance.ended",
                            Severity.INFO, "maintenance window " + w.name() + (open ? " opened" : " closed"),
                            Map.of("window", w.name()), now));
                }
            }
        }
        // Window events reach every notifier, silenced ones included: they say why the silence.
        for (OpsEvent e : events) {
            for (Notifier n : notifiers) {
                deliver(n, e);
            }
        }
        armWindows();
    }

    /**
     * Stops scheduling, cancels runs in progress and waits for them up to the shutdown timeout;
     * runs still going then are recorded as failed and their leases released. Shuts down the
     * threads it created, never the host's. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (windowTimer != null) {
                windowTimer.cancel(false);
            }
        }
        Map<JobRunner, CompletableFuture<JobRun>> running = new LinkedHashMap<>();
        for (JobRunner r : runners.values()) {
            r.close().ifPresent(f -> running.put(r, f));
        }
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        for (Map.Entry<JobRunner, CompletableFuture<JobRun>> e : running.entrySet()) {
            try {
                e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException ex) {
                LOG.warn("Job '{}' did not stop within {} of close; recording it as failed", e.getKey().name(),
                        shutdownTimeout);
                e.getKey().abandonOnClose();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                e.getKey().abandonOnClose();
            } catch (Exception ex) {
                // Completed exceptionally or cancelled: nothing left to wait for.
            }
        }
        if (ownScheduler != null) {
            ownScheduler.shutdownNow();
        }
        if (ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
        LOG.info("Opskit jobs stopped on replica {}", runtime.replica());
    }

    @Override
    public String toString() {
        return "OpsJobs{replica=" + runtime.replica() + ", jobs=" + runners.keySet() + '}';
    }

    /**
     * Builds {@link OpsJobs}. Single-valued settings may be set once (a second call throws
     * {@link IllegalStateException}); {@link #job}, {@link #notifier} and {@link #maintenanceWindow}
     * add. Not thread-safe; use from one thread.
     */
    public static final class Builder {

        private record JobDef(OpsTask task, Schedule schedule, JobOptions options) {
        }

        private final Map<String, JobDef> jobs = new LinkedHashMap<>();
        private final List<Notifier> notifiers = new ArrayList<>();
        private final Map<String, MaintenanceWindow> windows = new LinkedHashMap<>();
        private @Nullable JobLock lock;
        private @Nullable JobHistory history;
        private @Nullable String replica;
        private @Nullable Clock clock;
        private @Nullable Ticker ticker;
        private @Nullable ScheduledExecutorService scheduler;
        private @Nullable Executor executor;
        private @Nullable Object meterRegistry;
        private Duration leaseTime = Duration.ofSeconds(30);
        private boolean leaseTimeSet;
        private int historySize = 50;
        private boolean historySizeSet;
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private boolean shutdownTimeoutSet;

        private Builder() {
        }

        /**
         * Adds a job with {@link JobOptions#defaults()}.
         *
         * @param task     what to run; its name names the job
         * @param schedule when
         * @return this builder
         * @throws IllegalArgumentException when a job of that name was already added
         */
        public Builder job(OpsTask task, Schedule schedule) {
            return job(task, schedule, JobOptions.defaults());
        }

        /**
         * Adds a job.
         *
         * @param task     what to run; its name names the job (at most 200 characters)
         * @param schedule when
         * @param options  how
         * @return this builder
         * @throws IllegalArgumentException when a job of that name was already added, or the name is
         *                                  blank or too long
         */
        public Builder job(OpsTask task, Schedule schedule, JobOptions options) {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(schedule, "schedule");
            Objects.requireNonNull(options, "options");
            String name = Checks.requireNonBlank(task.name(), "job name");
            if (name.length() > 200) {
                throw new IllegalArgumentException("job name must be at most 200 characters: '" + name + "'");
            }
            if (jobs.containsKey(name)) {
                throw new IllegalArgumentException("job was already added: '" + name + "'");
            }
            jobs.put(name, new JobDef(task, schedule, options));
            return this;
        }

        /**
         * The lock every replica shares; default {@link JobLocks#inProcess()} (one replica). When it
         * is also a {@link JobHistory} (as {@link JdbcJobLock} is) and no {@link #history} is set,
         * runs are recorded there too.
         *
         * @param value the lock
         * @return this builder
         */
        public Builder lock(JobLock value) {
            Objects.requireNonNull(value, "lock");
            Checks.requireUnset(lock, "lock");
            this.lock = value;
            return this;
        }

        /**
         * Where runs are recorded for every replica to read, instead of the lock's own history.
         *
         * @param value the history
         * @return this builder
         */
        public Builder history(JobHistory value) {
            Objects.requireNonNull(value, "history");
            Checks.requireUnset(history, "history");
            this.history = value;
            return this;
        }

        /**
         * This replica's name in leases and history; default {@code $HOSTNAME:pid}.
         *
         * @param value 1 to 200 letters, digits or {@code . _ : @ -}
         * @return this builder
         */
        public Builder replica(String value) {
            Objects.requireNonNull(value, "replica");
            Checks.requireUnset(replica, "replica");
            if (!REPLICA.matcher(value).matches()) {
                throw new IllegalArgumentException(
                        "replica must be 1 to 200 letters, digits or '.', '_', ':', '@', '-': '" + value + "'");
            }
            this.replica = value;
            return this;
        }

        /**
         * How long a lease lasts unless renewed (it is renewed every third of it while a run lasts):
         * the longest time another replica waits to take over from one that died. Default 30 s.
         *
         * @param value at least 1 s, at most 1 h
         * @return this builder
         */
        public Builder leaseTime(Duration value) {
            Checks.requirePositive(value, "leaseTime", Duration.ofHours(1));
            if (value.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("leaseTime must be at least 1s: " + value);
            }
            if (leaseTimeSet) {
                throw new IllegalStateException("leaseTime was already set");
            }
            this.leaseTime = value;
            this.leaseTimeSet = true;
            return this;
        }

        /**
         * How many runs per job the in-memory history keeps and {@link OpsJobs#jobs()} shows; default 50.
         *
         * @param value 1 to 10000
         * @return this builder
         */
        public Builder historySize(int value) {
            if (value < 1 || value > 10_000) {
                throw new IllegalArgumentException("historySize must be between 1 and 10000: " + value);
            }
            if (historySizeSet) {
                throw new IllegalStateException("historySize was already set");
            }
            this.historySize = value;
            this.historySizeSet = true;
            return this;
        }

        /**
         * How long {@link OpsJobs#close()} waits for cancelled runs; default 10 s.
         *
         * @param value zero or more, at most 10 minutes
         * @return this builder
         */
        public Builder shutdownTimeout(Duration value) {
            Checks.requireNonNegative(value, "shutdownTimeout");
            if (value.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("shutdownTimeout must be at most 10m: " + value);
            }
            if (shutdownTimeoutSet) {
                throw new IllegalStateException("shutdownTimeout was already set");
            }
            this.shutdownTimeout = value;
            this.shutdownTimeoutSet = true;
            return this;
        }

        /**
         * The wall clock due times, deadlines and history are computed with; default UTC system clock.
         *
         * @param value the clock
         * @return this builder
         */
        public Builder clock(Clock value) {
            Objects.requireNonNull(value, "clock");
            Checks.requireUnset(clock, "clock");
            this.clock = value;
            return this;
        }

        /**
         * The monotonic source run durations are measured with; default {@link Ticker#system()}.
         *
         * @param value the ticker
         * @return this builder
         */
        public Builder ticker(Ticker value) {
            Objects.requireNonNull(value, "ticker");
            Checks.requireUnset(ticker, "ticker");
            this.ticker = value;
            return this;
        }

        /**
         * What fires the due, deadline, renewal and retry timers; default one daemon thread we create
         * and shut down in {@link OpsJobs#close()}. A given scheduler is never shut down by us.
         *
         * @param value the scheduler
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService value) {
            Objects.requireNonNull(value, "scheduler");
            Checks.requireUnset(scheduler, "scheduler");
            this.scheduler = value;
            return this;
        }

        /**
         * Where tasks run; default a pool of daemon threads we create and shut down in
         * {@link OpsJobs#close()}. A given executor is never shut down by us. Each run occupies one
         * thread for its duration.
         *
         * @param value the executor
         * @return this builder
         */
        public Builder executor(Executor value) {
            Objects.requireNonNull(value, "executor");
            Checks.requireUnset(executor, "executor");
            this.executor = value;
            return this;
        }

        /**
         * Records the job meters in this registry; without one nothing is recorded.
         *
         * @param value the registry
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry value) {
            Objects.requireNonNull(value, "meterRegistry");
            Checks.requireUnset(meterRegistry, "meterRegistry");
            this.meterRegistry = value;
            return this;
        }

        /**
         * Adds a notifier: every notifier hears every event (unless a window silences it).
         *
         * @param value the notifier
         * @return this builder
         */
        public Builder notifier(Notifier value) {
            notifiers.add(Objects.requireNonNull(value, "notifier"));
            return this;
        }

        /**
         * Adds a maintenance window.
         *
         * @param value the window
         * @return this builder
         * @throws IllegalArgumentException when a window of that name was already added
         */
        public Builder maintenanceWindow(MaintenanceWindow value) {
            Objects.requireNonNull(value, "window");
            if (windows.putIfAbsent(value.name(), value) != null) {
                throw new IllegalArgumentException("maintenance window was already added: '" + value.name() + "'");
            }
            return this;
        }

        /**
         * Starts every job and returns the running scheduler.
         *
         * @return the scheduler
         * @throws IllegalStateException when a job names a maintenance window that was not added
         */
        public OpsJobs build() {
            for (JobDef d : jobs.values()) {
                Optional<String> w = d.options.window();
                if (w.isPresent() && !windows.containsKey(w.get())) {
                    throw new IllegalStateException("job '" + d.task.name() + "' names maintenance window '" + w.get()
                            + "', which was not added; add it with maintenanceWindow(...)");
                }
            }
            return new OpsJobs(this);
        }
    }
}
