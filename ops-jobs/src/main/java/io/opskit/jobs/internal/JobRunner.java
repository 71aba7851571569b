package io.opskit.jobs.internal;

import io.opskit.api.Redactor;
import io.opskit.api.internal.DurationText;
import io.opskit.api.jobs.JobLease;
import io.opskit.api.jobs.JobRun;
import io.opskit.api.jobs.LeaseRequest;
import io.opskit.api.jobs.LockAttempt;
import io.opskit.api.jobs.RunOutcome;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import io.opskit.api.task.OpsTask;
import io.opskit.api.task.TaskCancelledException;
import io.opskit.api.task.TaskOutcome;
import io.opskit.jobs.JobOptions;
import io.opskit.jobs.MissedRunPolicy;
import io.opskit.jobs.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One scheduled job: its timer, the no-overlap guard, lease, attempts with deadline and retries,
 * and what a run leaves behind (history, meters, events).
 *
 * <p>One class because these share one state machine guarded by one monitor: the due timer, the
 * run in progress and its attempt, its renewal, deadline and grace timers. Nothing blocking runs
 * while the monitor is held; the lock, the history and the task are called outside it.
 */
public final class JobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    /** Why an attempt started. */
    enum Trigger { SCHEDULE, CATCH_UP, MANUAL }

    /** The run in progress on this replica. */
    private static final class Active {
        final String runId;
        final Instant due;
        final Instant startedAt;
        boolean manual;
        final List<CompletableFuture<JobRun>> waiters = new ArrayList<>();
        @Nullable JobLease lease;
        long startNanos;
        @Nullable JobRun running;
        @Nullable RunContext context;
        int attempt;
        @Nullable ScheduledFuture<?> renewal;
        @Nullable ScheduledFuture<?> deadlineTimer;
        @Nullable ScheduledFuture<?> graceTimer;
        @Nullable ScheduledFuture<?> retryTimer;
        boolean finished;

        Active(String runId, Instant due, Instant startedAt) {
            this.runId = runId;
            this.due = due;
            this.startedAt = startedAt;
        }
    }

    private final String name;
    private final OpsTask task;
    private final Schedule schedule;
    private final JobOptions options;
    private final JobRuntime rt;

    private boolean started;
    private boolean closed;
    private @Nullable ScheduledFuture<?> timer;
    private @Nullable Instant nextDue;
    private @Nullable Active active;
    private boolean overlapWarned;
    private boolean lockWarned;
    private boolean historyWarned;
    private int consecutiveFailures;
    private @Nullable Instant startedSchedulingAt;

    public JobRunner(OpsTask task, Schedule schedule, JobOptions options, JobRuntime runtime) {
        this.task = Objects.requireNonNull(task, "task");
        this.name = task.name();
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.options = Objects.requireNonNull(options, "options");
        this.rt = Objects.requireNonNull(runtime, "runtime");
    }

    public String name() {
        return name;
    }

    public Schedule schedule() {
        return schedule;
    }

    public JobOptions options() {
        return options;
    }

    /** When scheduling began on this replica. */
    public synchronized Instant startedSchedulingAt() {
        return Objects.requireNonNull(startedSchedulingAt);
    }

    /** Applies the missed-run policy and arms the first timer. */
    public void start() {
        rt.metrics().register(name);
        Instant now = rt.clock().instant();
        Instant latest = schedule.latestAtOrBefore(now);
        boolean missed = false;
        boolean neverRan = false;
        if (!latest.equals(Instant.MIN)) {
            Optional<JobRun> last = newestStarted();
            neverRan = last.isEmpty();
            missed = last.isPresent() && last.get().dueAt().isBefore(latest);
        }
        synchronized (this) {
            started = true;
            startedSchedulingAt = now;
            arm(schedule.nextAfter(now), now);
        }
        if (options.missedRunPolicy() == MissedRunPolicy.RUN_ONCE && (missed || neverRan)) {
            LOG.info("Job '{}' ({}): {}; running once now for the run due at {} (missed-run policy run_once)", name,
                    schedule, neverRan ? "no earlier run recorded" : "missed the run due at " + latest, latest);
            rt.scheduler().execute(() -> attempt(latest, Trigger.CATCH_UP, null));
        } else if (missed) {
            LOG.info("Job '{}' ({}): missed the run due at {}; skipping it (missed-run policy skip)", name, schedule,
                    latest);
            publish("job.missed", Severity.WARNING, "job " + name + " missed its run due at " + latest,
                    Map.of("due_at", latest.toString()));
        }
    }

    private Optional<JobRun> newestStarted() {
        try {
            for (JobRun r : rt.readHistory().recent(name, rt.historySize())) {
                if (r.outcome() != RunOutcome.SKIPPED || !r.runId().startsWith("skip-")) {
                    return Optional.of(r);
                }
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            LOG.warn("Job '{}': could not read its history ({}); treating it as never run", name, e.toString());
            return Optional.empty();
        }
    }

    private void arm(Instant due, Instant now) {
        // Caller holds the monitor.
        nextDue = due;
        long delay = Math.max(0, Duration.between(now, due).toNanos());
        try {
            timer = rt.scheduler().schedule(() -> fire(due), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            nextDue = null;
            if (!closed) {
                LOG.warn("Job '{}' stopped scheduling: the scheduler rejected its timer ({})", name, e.toString());
            }
        }
    }

    private void fire(Instant due) {
        Instant latest;
        synchronized (this) {
            if (closed) {
                return;
            }
            Instant now = rt.clock().instant();
            if (now.isBefore(due)) {
                // The timer ran ahead of the clock: wait for the rest.
                arm(due, now);
                return;
            }
            latest = schedule.latestAtOrBefore(now);
            if (latest.isBefore(due)) {
                latest = due;
            }
            arm(schedule.nextAfter(now), now);
        }
        if (latest.isAfter(due)) {
            // The timer fired more than a period late (a suspended host, a stalled scheduler).
            boolean runOnce = options.missedRunPolicy() == MissedRunPolicy.RUN_ONCE;
            LOG.warn("Job '{}': its timer for {} fired late; runs due up to {} were missed{}", name, due, latest,
                    runOnce ? ", running once for " + latest : "");
            publish("job.missed", Severity.WARNING, "job " + name + " missed runs due from " + due + " to " + latest,
                    Map.of("due_at", due.toString(), "latest_due_at", latest.toString()));
            if (runOnce) {
                attempt(latest, Trigger.CATCH_UP, null);
            }
            return;
        }
        attempt(due, Trigger.SCHEDULE, null);
    }

    /**
     * Runs the job now (due time: now), unless a run is in progress here or elsewhere.
     *
     * @return completes with the run (or the skip) when it ended
     */
    public CompletableFuture<JobRun> runNow() {
        CompletableFuture<JobRun> result = new CompletableFuture<>();
        attempt(rt.clock().instant(), Trigger.MANUAL, result);
        return result;
    }

    private void attempt(Instant due, Trigger trigger, @Nullable CompletableFuture<JobRun> result) {
        Instant now = rt.clock().instant();
        Optional<String> window = options.window();
        if (window.isPresent() && !rt.windowOpen().isOpen(window.get(), now)) {
            skip(due, now, "outside maintenance window " + window.get(), result, false);
            return;
        }
        Active run;
        String busy = "";
        synchronized (this) {
            if (closed && trigger != Trigger.MANUAL) {
                complete(result, null);
                return;
            }
            if (active != null) {
                busy = "previous run " + active.runId + " (due " + active.due + ") still running on this replica";
                run = null;
            } else {
                run = new Active(UUID.randomUUID().toString(), due, now);
                run.manual = trigger == Trigger.MANUAL;
                if (result != null) {
                    run.waiters.add(result);
                }
                active = run;
            }
        }
        if (run == null) {
            skip(due, now, busy, result, true);
            return;
        }
        LockAttempt attempt;
        try {
            attempt = rt.lock().tryAcquire(new LeaseRequest(name, due, rt.replica(), run.runId, rt.leaseTime()));
            lockWarned = false;
        } catch (RuntimeException e) {
            if (!lockWarned) {
                lockWarned = true;
                LOG.warn("Job '{}': the lock ({}) could not be reached for the run due at {}: {}", name,
                        rt.lock().describe(), due, Redactor.redact(String.valueOf(e.getMessage())));
            }
            JobRun failed = new JobRun(name, run.runId, rt.replica(), due, now, Optional.empty(), RunOutcome.RUNNING, "");
            synchronized (this) {
                run.running = failed;
                run.startNanos = rt.ticker().read();
            }
            finish(run, TaskOutcome.failed("lock unavailable: " + Redactor.redact(String.valueOf(e.getMessage()))),
                    false);
            return;
        }
        if (attempt instanceof LockAttempt.Acquired acquired) {
            begin(run, acquired.lease());
            return;
        }
        synchronized (this) {
            active = null;
        }
        String reason = attempt instanceof LockAttempt.Held held
                ? "running on replica " + held.holder()
                : "ran on replica " + ((LockAttempt.AlreadyRan) attempt).holder();
        skipRun(run, reason);
    }

    private void skip(Instant due, Instant now, String reason, @Nullable CompletableFuture<JobRun> result,
                      boolean overlap) {
        if (overlap) {
            boolean first;
            synchronized (this) {
                first = !overlapWarned;
                overlapWarned = true;
            }
            if (first) {
                LOG.warn("Job '{}' skipped the run due at {}: {}; runs never overlap", name, due, reason);
            } else {
                LOG.debug("Job '{}' skipped the run due at {}: {}", name, due, reason);
            }
        } else {
            LOG.debug("Job '{}' skipped the run due at {}: {}", name, due, reason);
        }
        JobRun skipped = new JobRun(name, "skip-" + UUID.randomUUID(), rt.replica(), due, now, Optional.of(now),
                RunOutcome.SKIPPED, "skipped: " + reason);
        rt.local().record(skipped);
        rt.metrics().runEnded(name, RunOutcome.SKIPPED, -1);
        complete(result, skipped);
    }

    private void skipRun(Active run, String reason) {
        CompletableFuture<JobRun> waiter = run.waiters.isEmpty() ? null : run.waiters.get(0);
        skip(run.due, run.startedAt, reason, waiter, false);
    }

    private void begin(Active run, JobLease lease) {
        JobRun running = new JobRun(name, run.runId, rt.replica(), run.due, run.startedAt, Optional.empty(),
                RunOutcome.RUNNING, "running");
        synchronized (this) {
            run.lease = lease;
            run.running = running;
            run.startNanos = rt.ticker().read();
            overlapWarned = false;
        }
        rt.local().record(running);
        recordShared(running);
        rt.metrics().running(name, true);
        List<JobRun> abandoned = List.of();
        try {
            abandoned = rt.readHistory().abandonOthers(name, run.runId, run.startedAt);
        } catch (RuntimeException e) {
            historyFailed(e);
        }
        for (JobRun a : abandoned) {
            LOG.warn("Job '{}': run {} on replica {} (due {}) was abandoned: its replica stopped during the run",
                    name, a.runId(), a.replica(), a.dueAt());
            if (rt.shared().isPresent()) {
                rt.local().record(a);
            }
            rt.metrics().runEnded(name, RunOutcome.ABANDONED, -1);
        }
        long period = Math.max(1, rt.leaseTime().toNanos() / 3);
        synchronized (this) {
            try {
                run.renewal = rt.scheduler().scheduleWithFixedDelay(() -> renew(run), period, period,
                        TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                LOG.debug("Job '{}': no lease renewal, the scheduler is shut down", name);
            }
        }
        LOG.debug("Job '{}' run {} started for the run due at {} on replica {}", name, run.runId, run.due, rt.replica());
        startAttempt(run, 1);
    }

    private void renew(Active run) {
        JobLease lease;
        synchronized (this) {
            if (run.finished || run.lease == null) {
                return;
            }
            lease = run.lease;
        }
        try {
            if (!rt.lock().renew(lease, rt.leaseTime())) {
                LOG.warn("Job '{}' run {} lost its lease (it expired and was taken over); cancelling the run", name,
                        run.runId);
                RunContext ctx;
                synchronized (this) {
                    ctx = run.context;
                }
                if (ctx != null) {
                    ctx.cancel("lease lost");
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("Job '{}' run {}: lease renewal failed ({}); will try again", name, run.runId, e.toString());
        }
    }

    private void startAttempt(Active run, int attempt) {
        Instant now = rt.clock().instant();
        Instant deadline = now.plus(options.deadline());
        Map<String, String> mdc = new LinkedHashMap<>();
        mdc.put("job", name);
        mdc.put("run_id", run.runId);
        mdc.put("replica", rt.replica());
        RunContext ctx = new RunContext(name, run.runId, run.manual ? null : run.due, now, deadline, rt.clock(), mdc);
        boolean closing;
        synchronized (this) {
            if (run.finished) {
                return;
            }
            closing = closed;
        }
        if (closing) {
            finish(run, TaskOutcome.failed("cancelled: the scheduler closed"), attempt > 1);
            return;
        }
        synchronized (this) {
            if (run.finished) {
                return;
            }
            run.context = ctx;
            run.attempt = attempt;
            run.retryTimer = null;
            try {
                run.deadlineTimer = rt.scheduler().schedule(() -> onDeadline(run, ctx), options.deadline().toNanos(),
                        TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                run.deadlineTimer = null;
            }
        }
        try {
            rt.executor().execute(() -> runAttempt(run, ctx, attempt));
        } catch (RejectedExecutionException e) {
            attemptEnded(run, ctx, attempt, TaskOutcome.failed("the executor rejected the run: " + e.getMessage()));
        }
    }

    private void runAttempt(Active run, RunContext ctx, int attempt) {
        Thread thread = Thread.currentThread();
        Map<String, String> previousMdc = MDC.getCopyOfContextMap();
        ctx.logContext().forEach(MDC::put);
        ctx.bind(thread);
        TaskOutcome outcome;
        try {
            TaskOutcome returned = task.run(ctx);
            outcome = returned != null ? returned : TaskOutcome.failed("task returned no outcome");
        } catch (TaskCancelledException e) {
            outcome = TaskOutcome.failed(Redactor.redact(String.valueOf(e.getMessage())));
        } catch (InterruptedException e) {
            String reason = ctx.cancelReason();
            outcome = TaskOutcome.failed("cancelled: " + (reason != null ? reason : "interrupted"));
        } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
            String reason = ctx.cancelReason();
            outcome = TaskOutcome.failed((reason != null ? "cancelled: " + reason + "; " : "")
                    + e.getClass().getSimpleName() + ": " + Redactor.redact(String.valueOf(e.getMessage())));
        } finally {
            ctx.unbind();
            // A cancellation's interrupt must not leak into the next work on this thread.
            Thread.interrupted();
            if (previousMdc == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(previousMdc);
            }
        }
        attemptEnded(run, ctx, attempt, outcome);
    }

    private void onDeadline(Active run, RunContext ctx) {
        synchronized (this) {
            if (run.finished || run.context != ctx) {
                return;
            }
            try {
                run.graceTimer = rt.scheduler().schedule(() -> onGraceEnded(run, ctx), options.cancelGrace().toNanos(),
                        TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                run.graceTimer = null;
            }
        }
        LOG.warn("Job '{}' run {} passed its deadline of {}; cancelling it", name, run.runId,
                DurationText.format(options.deadline()));
        ctx.cancel("deadline of " + DurationText.format(options.deadline()) + " passed");
    }

    private void onGraceEnded(Active run, RunContext ctx) {
        synchronized (this) {
            if (run.finished || run.context != ctx) {
                return;
            }
        }
        LOG.warn("Job '{}' run {} did not stop within {} of its deadline; recording it as failed and releasing"
                + " its lease while its thread is still busy", name, run.runId, DurationText.format(options.cancelGrace()));
        finish(run, TaskOutcome.failed("cancelled: deadline of " + DurationText.format(options.deadline())
                + " passed and the task did not stop within " + DurationText.format(options.cancelGrace())), run.attempt > 1);
    }

    private void attemptEnded(Active run, RunContext ctx, int attempt, TaskOutcome outcome) {
        synchronized (this) {
            if (run.finished || run.context != ctx) {
                return;
            }
            cancel(run.deadlineTimer);
            cancel(run.graceTimer);
            boolean retry = outcome instanceof TaskOutcome.Failed && attempt <= options.retry().maxRetries()
                    && !closed && ctx.cancelReason() == null;
            if (retry) {
                Duration wait = options.retry().backoff(attempt);
                LOG.debug("Job '{}' run {} attempt {} failed ({}); retrying in {}", name, run.runId, attempt,
                        outcome.summary(), DurationText.format(wait));
                try {
                    run.retryTimer = rt.scheduler().schedule(() -> startAttempt(run, attempt + 1), wait.toNanos(),
                            TimeUnit.NANOSECONDS);
                    return;
                } catch (RejectedExecutionException e) {
                    // Shutting down: the failure stands.
                }
            }
        }
        finish(run, outcome, attempt > 1);
    }

    private void finish(Active run, TaskOutcome outcome, boolean retried) {
        JobLease lease;
        JobRun running;
        List<CompletableFuture<JobRun>> waiters;
        synchronized (this) {
            if (run.finished) {
                return;
            }
            run.finished = true;
            cancel(run.renewal);
            cancel(run.deadlineTimer);
            cancel(run.graceTimer);
            cancel(run.retryTimer);
            lease = run.lease;
            running = Objects.requireNonNull(run.running);
            waiters = List.copyOf(run.waiters);
        }
        if (lease != null) {
            try {
                rt.lock().release(lease);
            } catch (RuntimeException e) {
                LOG.warn("Job '{}' run {}: could not release its lease ({}); it expires by itself", name, run.runId,
                        Redactor.redact(String.valueOf(e.getMessage())));
            }
        }
        Instant ended = rt.clock().instant();
        long nanos = rt.ticker().read() - run.startNanos;
        RunOutcome ro = outcome instanceof TaskOutcome.Done ? RunOutcome.SUCCESS
                : outcome instanceof TaskOutcome.Skipped ? RunOutcome.SKIPPED : RunOutcome.FAILURE;
        String summary = outcome instanceof TaskOutcome.Skipped ? "skipped: " + outcome.summary() : outcome.summary();
        if (retried) {
            summary = summary + " (attempt " + run.attempt + ")";
        }
        JobRun done = running.ended(ended, ro, summary);
        if (lease != null) {
            recordShared(done);
        }
        int failures;
        boolean recovered = false;
        synchronized (this) {
            if (active == run) {
                active = null;
            }
            if (ro == RunOutcome.FAILURE) {
                failures = ++consecutiveFailures;
            } else {
                recovered = ro == RunOutcome.SUCCESS && consecutiveFailures > 0;
                failures = ro == RunOutcome.SUCCESS ? 0 : consecutiveFailures;
                if (ro == RunOutcome.SUCCESS) {
                    consecutiveFailures = 0;
                }
            }
        }
        rt.metrics().running(name, false);
        rt.metrics().runEnded(name, ro, nanos);
        Map<String, String> labels = Map.of("job", name, "run_id", run.runId, "replica", rt.replica(),
                "due_at", run.due.toString());
        if (ro == RunOutcome.SUCCESS) {
            rt.metrics().lastSuccess(name, run.startedAt);
            if (recovered) {
                LOG.info("Job '{}' succeeded again (run {})", name, run.runId);
                publish("job.recovered", Severity.INFO, "job " + name + " succeeded again on " + rt.replica(), labels);
            } else {
                LOG.debug("Job '{}' run {} succeeded: {}", name, run.runId, summary);
            }
        } else if (ro == RunOutcome.FAILURE) {
            if (failures == 1) {
                LOG.warn("Job '{}' run {} (due {}) failed: {}", name, run.runId, run.due, summary);
            } else {
                LOG.debug("Job '{}' run {} failed again ({} in a row): {}", name, run.runId, failures, summary);
            }
            Map<String, String> failLabels = new LinkedHashMap<>(labels);
            failLabels.put("consecutive_failures", Integer.toString(failures));
            publish("job.failed", failures >= options.failuresBeforeDegraded() ? Severity.CRITICAL : Severity.WARNING,
                    "job " + name + " failed on " + rt.replica() + ": " + summary, failLabels);
        }
        // Last, so that a run seen ended in the local history has had its meters and events.
        rt.local().record(done);
        for (CompletableFuture<JobRun> w : waiters) {
            w.complete(done);
        }
    }

    private void recordShared(JobRun run) {
        if (rt.shared().isEmpty()) {
            return;
        }
        try {
            rt.shared().get().record(run);
            historyWarned = false;
        } catch (RuntimeException e) {
            historyFailed(e);
        }
    }

    private void historyFailed(RuntimeException e) {
        if (!historyWarned) {
            historyWarned = true;
            LOG.warn("Job '{}': could not write its run history ({}); runs go on", name,
                    Redactor.redact(String.valueOf(e.getMessage())));
        } else {
            LOG.debug("Job '{}': could not write its run history again: {}", name, e.toString());
        }
    }

    private void publish(String type, Severity severity, String summary, Map<String, String> labels) {
        Map<String, String> all = new LinkedHashMap<>(labels);
        all.putIfAbsent("job", name);
        rt.events().accept(new OpsEvent("job:" + name, type, severity, summary, all, rt.clock().instant()));
    }

    private static void complete(@Nullable CompletableFuture<JobRun> result, @Nullable JobRun run) {
        if (result != null) {
            if (run != null) {
                result.complete(run);
            } else {
                result.cancel(false);
            }
        }
    }

    private static void cancel(@Nullable ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    /** When the next run is due; empty once closed. */
    public synchronized Optional<Instant> nextDue() {
        return closed ? Optional.empty() : Optional.ofNullable(nextDue);
    }

    /** Whether a run is in progress here. */
    public synchronized boolean isRunning() {
        return active != null && active.lease != null;
    }

    /** Failed runs in a row on this replica. */
    public synchronized int localConsecutiveFailures() {
        return consecutiveFailures;
    }

    /**
     * Stops the timer and cancels a run in progress (its task sees cancellation and an interrupt).
     *
     * @return the run in progress, completing when it ended, if any
     */
    public Optional<CompletableFuture<JobRun>> close() {
        RunContext ctx = null;
        Active endNow = null;
        CompletableFuture<JobRun> done = null;
        synchronized (this) {
            if (closed) {
                return Optional.empty();
            }
            closed = true;
            cancel(timer);
            Active run = active;
            if (run != null && !run.finished) {
                done = new CompletableFuture<>();
                run.waiters.add(done);
                if (run.retryTimer != null) {
                    // Waiting to retry: nothing runs; the run ends now.
                    cancel(run.retryTimer);
                    endNow = run;
                } else {
                    ctx = run.context;
                }
            }
        }
        if (endNow != null && endNow.running != null) {
            finish(endNow, TaskOutcome.failed("cancelled: the scheduler closed before a retry"), true);
        }
        if (ctx != null) {
            ctx.cancel("scheduler closed");
        }
        return Optional.ofNullable(done);
    }

    /** Ends a run that did not stop after close: record it failed and release its lease. */
    public void abandonOnClose() {
        Active run;
        synchronized (this) {
            run = active;
        }
        if (run != null && run.running != null) {
            finish(run, TaskOutcome.failed("cancelled: the scheduler closed"), false);
        }
    }

    public synchronized boolean started() {
        return started;
    }
}
