package io.opskit.health.internal;

import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.health.CheckOptions;
import io.opskit.health.CheckResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One registered check and its run state.
 *
 * <p>At most one run of the check exists at any time: a request that finds a run in flight joins
 * it, and a run that passed its timeout but whose thread has not returned yet (a check that ignores
 * interruption) is not started again; requests get its timed-out result until the thread returns.
 *
 * <p>Every run ends: whatever happens after the check returns (building the result, masking
 * secrets, caching, observers, notifiers, metrics), a {@code finally} completes the run's future
 * and frees the slot. The timeout interrupts only the thread of its own run, and only while that
 * run is inside {@link HealthCheck#check()}; the late result of a run that timed out is discarded
 * (it may be the engine's own interrupt speaking), never cached or observed. Thread-safe; the
 * slot's monitor guards only the run state.
 */
public final class CheckSlot {

    private static final Logger log = LoggerFactory.getLogger("io.opskit.health");

    /** Receives what the slot observes. Called from check, scheduler and request threads. */
    public interface Observer {
        /** A run finished (or timed out) after {@code nanos}. */
        void timed(CheckSlot slot, long nanos);

        /** A result became the check's current result. */
        void observed(CheckSlot slot, CheckResult result);
    }

    /** What every slot of one engine shares. */
    public record Context(Clock clock, Executor executor, ScheduledExecutorService scheduler,
                         HealthStatus timeoutStatus, Duration defaultTimeout, Observer observer) {
    }

    /** One run of the check. Fields guarded by the slot's lock. */
    private static final class Run {
        final CompletableFuture<CheckResult> future = new CompletableFuture<>();
        final long submitted = System.nanoTime();
        @Nullable Thread thread; // set only while check.check() runs
        boolean checkReturned;
        boolean timedOut;
        @Nullable ScheduledFuture<?> timer;
    }

    private record Cached(CheckResult result, long expiresAtMillis) {
    }

    private final String name;
    private final HealthCheck check;
    private final CheckOptions options;
    private final CheckOptions.@Nullable Background schedule;
    private final Duration timeout;
    private final long timeoutNanos;
    private final Context context;

    private @Nullable Run inFlight; // guarded by this

    private volatile @Nullable Cached cached;
    private volatile @Nullable CheckResult stored;
    private volatile @Nullable CheckResult last;
    private final AtomicReference<@Nullable HealthStatus> lastStatus = new AtomicReference<>();
    private volatile boolean closed;
    private volatile boolean warnedObserver;
    private volatile long lastRunNanos;

    /** A slot for one registration; starts nothing until asked. */
    public CheckSlot(String name, HealthCheck check, CheckOptions options, Context context) {
        this.name = name;
        this.check = check;
        this.options = options;
        this.schedule = options.background().orElse(null);
        this.context = context;
        this.timeout = options.timeout().orElse(context.defaultTimeout());
        this.timeoutNanos = saturatedNanos(timeout);
    }

    /** The registered name. */
    public String name() {
        return name;
    }

    /** Whether a failure fails the aggregate. */
    public boolean critical() {
        return options.critical();
    }

    /** The groups the check serves. */
    public Set<String> groups() {
        return options.groups();
    }

    /** Whether the check runs on its own schedule rather than on request. */
    public boolean background() {
        return schedule != null;
    }

    /** The most recent result observed; empty before the first. */
    public Optional<CheckResult> last() {
        return Optional.ofNullable(last);
    }

    /**
     * Records {@code status} as the current one.
     *
     * @return the previous status, or null when this is the first
     */
    public @Nullable HealthStatus transitionTo(HealthStatus status) {
        return lastStatus.getAndSet(status);
    }

    /**
     * How long the last run that ended took, until it returned or timed out; 0 before the first.
     * The engine starts the runs a request needs longest first.
     */
    public long lastRunNanos() {
        return lastRunNanos;
    }

    /** Marks the last result; called by the observer. */
    public void remember(CheckResult result) {
        last = result;
    }

    /**
     * The result for a request made at {@code now}: the stored background result (DOWN once
     * stale), a cached result, or the in-flight or a new run. Never throws.
     */
    public CompletableFuture<CheckResult> observe(Instant now) {
        CheckResult ready = withoutRun(now);
        return ready != null ? CompletableFuture.completedFuture(ready) : startOrJoin();
    }

    /**
     * The result a request made at {@code now} gets without a run: the stored background result
     * (DOWN once stale) or a cached one still fresh; null when it needs a run ({@link #startOrJoin()}).
     */
    public @Nullable CheckResult withoutRun(Instant now) {
        CheckOptions.Background bg = schedule;
        if (bg != null) {
            return backgroundView(bg, now);
        }
        Cached hit = cached;
        if (hit != null && context.clock().millis() < hit.expiresAtMillis()) {
            return hit.result();
        }
        return null;
    }

    /** The result to report when the request's deadline passed before this check finished. */
    public CheckResult deadlineExceeded(Duration deadline, long waitedNanos) {
        return new CheckResult(name, context.timeoutStatus(),
                Optional.of("did not finish within the request deadline of " + deadline.toMillis() + " ms"),
                Map.of("deadlineMs", deadline.toMillis()), options.critical(), true, false,
                Duration.ofNanos(waitedNanos), context.clock().instant());
    }

    /** The result to report when the requesting thread was interrupted while waiting. */
    public CheckResult interrupted(long waitedNanos) {
        return new CheckResult(name, HealthStatus.UNKNOWN, Optional.of("the health request was interrupted"),
                Map.of(), options.critical(), false, false, Duration.ofNanos(waitedNanos), context.clock().instant());
    }

    /** Starts the background schedule (first run now). No-op for an on-request check. */
    public void startBackground() {
        if (schedule != null) {
            scheduleBackground(0, 0);
        }
    }

    /**
     * Stops the background schedule and interrupts a run in flight (a check that ignores the
     * interrupt keeps its thread; see {@link #awaitIdle}).
     */
    public void close() {
        closed = true;
        synchronized (this) {
            Run run = inFlight;
            if (run != null && run.thread != null) {
                run.thread.interrupt();
            }
        }
    }

    /**
     * Waits until no thread of this slot is inside the check, at most until {@code deadlineNanos}
     * ({@link System#nanoTime()} based).
     *
     * @return the name of the thread still running the check, or empty when none is
     */
    public Optional<String> awaitIdle(long deadlineNanos) throws InterruptedException {
        synchronized (this) {
            while (true) {
                Run run = inFlight;
                Thread thread = run == null ? null : run.thread;
                if (thread == null) {
                    return Optional.empty();
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return Optional.of(thread.getName());
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    /** Joins the run in flight or starts one. Never throws; the future always completes. */
    public CompletableFuture<CheckResult> startOrJoin() {
        Run run;
        synchronized (this) {
            if (inFlight != null) {
                return inFlight.future;
            }
            run = new Run();
            inFlight = run;
        }
        launch(run);
        return run.future;
    }

    private void launch(Run run) {
        try {
            ScheduledFuture<?> timer = context.scheduler().schedule(() -> timeOut(run), timeoutNanos,
                    TimeUnit.NANOSECONDS);
            synchronized (this) {
                run.timer = timer;
            }
            context.executor().execute(() -> execute(run));
        } catch (Throwable e) {
            // Rejected, or the scheduler or executor failed in another way: the run still ends.
            cancelTimer(run);
            CheckResult refused = null;
            try {
                refused = result(HealthStatus.DOWN,
                        "not run: the health executor refused it (" + Failures.typeName(e) + ")",
                        Map.of("error", e.getClass().getName()), System.nanoTime() - run.submitted);
            } finally {
                finish(run, refused, true);
            }
        }
    }

    private void execute(Run run) {
        synchronized (this) {
            if (run.timedOut) {
                // Timed out while queued: the request already has its answer; do not run late.
                release(run);
                return;
            }
            run.thread = Thread.currentThread();
        }
        HealthResult outcome = null;
        Throwable error = null;
        boolean timedOut;
        try {
            outcome = check.check();
        } catch (Throwable t) {
            error = t;
        } finally {
            synchronized (this) {
                run.thread = null;
                run.checkReturned = true;
                timedOut = run.timedOut;
                notifyAll();
            }
            // Clear an interrupt the timeout may have sent, so it cannot leak into the next task.
            Thread.interrupted();
        }
        CheckResult result = null;
        try {
            cancelTimer(run);
            if (!timedOut) {
                result = toResult(outcome, error, System.nanoTime() - run.submitted);
            }
        } catch (Throwable t) {
            result = unbuildable(t, System.nanoTime() - run.submitted);
        } finally {
            finish(run, result, !timedOut);
        }
    }

    /**
     * Ends a run: caches and observes its result (when {@code current}), then always frees the
     * slot and completes the future. {@code result} null means the future already has its answer.
     */
    private void finish(Run run, @Nullable CheckResult result, boolean current) {
        try {
            if (result != null && current) {
                if (!options.cacheTtl().isZero() && !result.timedOut()) {
                    cached = new Cached(result, context.clock().millis() + options.cacheTtl().toMillis());
                }
                long nanos = System.nanoTime() - run.submitted;
                lastRunNanos = nanos;
                guarded(() -> context.observer().timed(this, nanos));
                // Observed before the future completes, so a request sees its own result's events
                // and gauges. Background results are observed once their retries are done.
                if (schedule == null) {
                    guarded(() -> context.observer().observed(this, result));
                }
            }
        } finally {
            synchronized (this) {
                release(run);
            }
            if (result != null) {
                run.future.complete(result);
            }
        }
    }

    private void release(Run run) {
        if (inFlight == run) {
            inFlight = null;
        }
        notifyAll();
    }

    private void timeOut(Run run) {
        synchronized (this) {
            if (run.checkReturned || run.timedOut || run.future.isDone()) {
                return; // the run has its own result (or is building it)
            }
            run.timedOut = true;
            if (run.thread != null) {
                run.thread.interrupt(); // this run's thread, while it is still inside the check
            }
        }
        CheckResult timedOut = null;
        try {
            long nanos = System.nanoTime() - run.submitted;
            lastRunNanos = nanos;
            timedOut = new CheckResult(name, context.timeoutStatus(),
                    Optional.of("timed out after " + timeout.toMillis() + " ms"), Map.of("timeoutMs", timeout.toMillis()),
                    options.critical(), true, false, Duration.ofNanos(nanos), context.clock().instant());
            CheckResult observed = timedOut;
            guarded(() -> context.observer().timed(this, nanos));
            if (schedule == null) {
                guarded(() -> context.observer().observed(this, observed));
            }
        } catch (Throwable t) {
            timedOut = unbuildable(t, System.nanoTime() - run.submitted);
        } finally {
            if (timedOut == null) {
                timedOut = unbuildable(new IllegalStateException("timeout"), System.nanoTime() - run.submitted);
            }
            run.future.complete(timedOut);
            synchronized (this) {
                if (run.thread == null && !run.checkReturned) {
                    // still queued: the executor may never run it; do not hold the slot for it
                    release(run);
                }
            }
        }
    }

    private void cancelTimer(Run run) {
        ScheduledFuture<?> timer;
        synchronized (this) {
            timer = run.timer;
        }
        if (timer != null) {
            try {
                timer.cancel(false);
            } catch (Throwable ignored) {
                // a host scheduler that fails to cancel only lets a no-op timeout fire
            }
        }
    }

    private void guarded(Runnable step) {
        try {
            step.run();
        } catch (Throwable t) {
            if (!warnedObserver) {
                warnedObserver = true;
                log.warn("health check '{}': recording a result failed; later failures are logged at DEBUG: {}",
                        name, Failures.describe(t));
            } else {
                log.debug("health check '{}': recording a result failed again: {}", name, Failures.describe(t));
            }
        }
    }

    private CheckResult unbuildable(Throwable t, long nanos) {
        // Built from constants only: nothing here can throw again.
        return new CheckResult(name, HealthStatus.DOWN,
                Optional.of("the result could not be built (" + t.getClass().getName() + ")"),
                Map.of(), options.critical(), false, false, Duration.ofNanos(Math.max(0, nanos)),
                Instant.ofEpochMilli(safeMillis()));
    }

    private long safeMillis() {
        try {
            return context.clock().millis();
        } catch (Throwable t) {
            return System.currentTimeMillis();
        }
    }

    private CheckResult toResult(@Nullable HealthResult outcome, @Nullable Throwable error, long nanos) {
        if (error != null) {
            return result(HealthStatus.DOWN, Failures.describe(error), Map.of("error", error.getClass().getName()),
                    nanos);
        }
        if (outcome == null) {
            return result(HealthStatus.DOWN, "the check returned no result (null)", Map.of(), nanos);
        }
        return new CheckResult(name, outcome.status(), Optional.ofNullable(Failures.scrubNullable(outcome.message().orElse(null))),
                outcome.details(), options.critical(), false, false, Duration.ofNanos(nanos),
                context.clock().instant());
    }

    private CheckResult result(HealthStatus status, String message, Map<String, Object> details, long nanos) {
        return new CheckResult(name, status, Optional.of(message), details, options.critical(), false, false,
                Duration.ofNanos(nanos), context.clock().instant());
    }

    private CheckResult backgroundView(CheckOptions.Background bg, Instant now) {
        CheckResult s = stored;
        if (s == null) {
            return new CheckResult(name, HealthStatus.UNKNOWN,
                    Optional.of("no result yet: runs in the background every " + bg.interval()), Map.of(),
                    options.critical(), false, false, Duration.ZERO, now);
        }
        Duration age = Duration.between(s.checkedAt(), now);
        if (age.compareTo(bg.maxStaleness()) <= 0) {
            return s;
        }
        CheckResult stale = new CheckResult(name, HealthStatus.DOWN,
                Optional.of("last result is " + age.toSeconds() + " s old, older than the maximum staleness of "
                        + bg.maxStaleness().toSeconds() + " s (it was " + s.status() + ")"),
                s.details(), options.critical(), s.timedOut(), true, s.duration(), s.checkedAt());
        guarded(() -> context.observer().observed(this, stale));
        return stale;
    }

    private void scheduleBackground(long delayNanos, int attempt) {
        if (closed) {
            return;
        }
        try {
            context.scheduler().schedule(() -> backgroundRun(attempt), delayNanos, TimeUnit.NANOSECONDS);
        } catch (Throwable e) {
            closed = true; // the scheduler is shut down: the engine is closing
            log.debug("health check '{}': background schedule stopped: {}", name, Failures.describe(e));
        }
    }

    private void backgroundRun(int attempt) {
        CheckOptions.Background bg = schedule;
        if (closed || bg == null) {
            return;
        }
        CompletableFuture<CheckResult> run;
        try {
            run = startOrJoin();
        } catch (Throwable t) {
            // Not expected (startOrJoin ends every run), but the schedule must outlive anything.
            scheduleBackground(bg.interval().toNanos(), 0);
            return;
        }
        run.whenComplete((result, error) -> {
            long next = bg.interval().toNanos();
            int nextAttempt = 0;
            try {
                boolean retry = result != null && result.status() == HealthStatus.DOWN && attempt < bg.retries();
                if (retry) {
                    nextAttempt = attempt + 1;
                    next = Math.min(next, TimeUnit.MILLISECONDS.toNanos(100L << Math.min(attempt, 20)));
                }
                if (result != null && !retry) {
                    stored = result;
                    CheckResult observed = result;
                    guarded(() -> context.observer().observed(this, observed));
                } else if (result != null && stored == null) {
                    // A first result is readable at once, even while it is retried: a check whose
                    // first run failed reads as that failure, not as "no result yet". It is not
                    // observed (no event, no gauge) until the retries decide.
                    stored = result;
                }
            } finally {
                scheduleBackground(next, nextAttempt);
            }
        });
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
