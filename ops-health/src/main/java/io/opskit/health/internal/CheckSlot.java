package io.opskit.health.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.health.CheckOptions;
import io.opskit.health.CheckResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * One registered check and its run state.
 *
 * <p>At most one run of the check exists at any time: a request that finds a run in flight joins
 * it, and a run that passed its timeout but whose thread has not returned yet (a check that ignores
 * interruption) is not started again; requests get its timed-out result until the thread returns.
 * The run's future is completed either by the run or, at the timeout, by the scheduler, which also
 * interrupts the run's thread. Thread-safe; the small lock guards only the run state.
 */
public final class CheckSlot {

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

    private static final String KEY = "result";

    private final String name;
    private final HealthCheck check;
    private final CheckOptions options;
    private final Duration timeout;
    private final Context context;
    private final @Nullable Cache<String, CheckResult> cache;

    private final Object lock = new Object();
    private @Nullable CompletableFuture<CheckResult> current; // guarded by lock
    private boolean running; // guarded by lock
    private @Nullable Thread runner; // guarded by lock

    private volatile @Nullable CheckResult stored;
    private volatile @Nullable CheckResult last;
    private final AtomicReference<@Nullable HealthStatus> lastStatus = new AtomicReference<>();
    private volatile boolean closed;

    /** A slot for one registration; starts nothing until asked. */
    public CheckSlot(String name, HealthCheck check, CheckOptions options, Context context) {
        this.name = name;
        this.check = check;
        this.options = options;
        this.context = context;
        Duration own = options.timeout();
        this.timeout = own != null ? own : context.defaultTimeout();
        if (options.cacheTtl().isZero() || options.background() != null) {
            this.cache = null;
        } else {
            Clock clock = context.clock();
            long origin = clock.millis();
            // Relative to construction: epoch milliseconds in nanoseconds would overflow a long.
            this.cache = Caffeine.newBuilder()
                    .expireAfterWrite(options.cacheTtl())
                    .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis() - origin))
                    .executor(Runnable::run)
                    .build();
        }
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
        return options.background() != null;
    }

    /** The most recent result observed, or null before the first. */
    public @Nullable CheckResult last() {
        return last;
    }

    /**
     * Records {@code status} as the current one.
     *
     * @return the previous status, or null when this is the first
     */
    public @Nullable HealthStatus transitionTo(HealthStatus status) {
        return lastStatus.getAndSet(status);
    }

    /** Marks the last result; called by the observer. */
    public void remember(CheckResult result) {
        last = result;
    }

    /**
     * The result for a request made at {@code now}: the stored background result (DOWN once
     * stale), a cached result, or the in-flight or a new run.
     */
    public CompletableFuture<CheckResult> observe(Instant now) {
        CheckOptions.Background schedule = options.background();
        if (schedule != null) {
            return CompletableFuture.completedFuture(backgroundView(schedule, now));
        }
        if (cache != null) {
            CheckResult hit = cache.getIfPresent(KEY);
            if (hit != null) {
                return CompletableFuture.completedFuture(hit);
            }
        }
        return startOrJoin();
    }

    /** The result to report when the request's deadline passed before this check finished. */
    public CheckResult deadlineExceeded(Duration deadline, long waitedNanos) {
        return new CheckResult(name, context.timeoutStatus(),
                "did not finish within the request deadline of " + deadline.toMillis() + " ms",
                Map.of("deadlineMs", deadline.toMillis()), options.critical(), true, false,
                Duration.ofNanos(waitedNanos), context.clock().instant());
    }

    /** The result to report when the requesting thread was interrupted while waiting. */
    public CheckResult interrupted(long waitedNanos) {
        return new CheckResult(name, HealthStatus.UNKNOWN, "the health request was interrupted", Map.of(),
                options.critical(), false, false, Duration.ofNanos(waitedNanos), context.clock().instant());
    }

    /** Starts the background schedule (first run now). No-op for an on-request check. */
    public void startBackground() {
        if (options.background() != null) {
            scheduleBackground(0, 0);
        }
    }

    /** Stops the background schedule; a run in flight finishes on its own. */
    public void close() {
        closed = true;
    }

    CompletableFuture<CheckResult> startOrJoin() {
        CompletableFuture<CheckResult> future;
        synchronized (lock) {
            if (current != null && (running || !current.isDone())) {
                return current;
            }
            future = new CompletableFuture<>();
            current = future;
            running = true;
        }
        launch(future);
        return future;
    }

    private void launch(CompletableFuture<CheckResult> future) {
        long submitted = System.nanoTime();
        ScheduledFuture<?> timer = null;
        try {
            timer = context.scheduler().schedule(() -> timeOut(future, submitted), timeout.toNanos(),
                    TimeUnit.NANOSECONDS);
            ScheduledFuture<?> timerOfRun = timer;
            context.executor().execute(() -> run(future, submitted, timerOfRun));
        } catch (RejectedExecutionException e) {
            if (timer != null) {
                timer.cancel(false);
            }
            CheckResult refused = result(HealthStatus.DOWN,
                    "not run: the health executor refused it (" + e.getClass().getSimpleName() + ")",
                    Map.of("error", e.getClass().getName()), false, System.nanoTime() - submitted);
            future.complete(refused);
            synchronized (lock) {
                running = false;
            }
            if (options.background() == null) {
                context.observer().observed(this, refused);
            }
        }
    }

    private void run(CompletableFuture<CheckResult> future, long submitted, ScheduledFuture<?> timer) {
        synchronized (lock) {
            if (future.isDone()) {
                // Timed out while queued: the request already has its answer; do not run late.
                running = false;
                return;
            }
            runner = Thread.currentThread();
        }
        HealthResult outcome = null;
        Throwable error = null;
        try {
            outcome = check.check();
        } catch (Throwable t) {
            error = t;
        } finally {
            synchronized (lock) {
                runner = null;
            }
            // Clear an interrupt the timeout may have sent, so it cannot leak into the next task.
            Thread.interrupted();
        }
        long nanos = System.nanoTime() - submitted;
        timer.cancel(false);
        CheckResult result = toResult(outcome, error, nanos);
        if (cache != null) {
            cache.put(KEY, result);
        }
        context.observer().timed(this, nanos);
        // Observed before the future completes, so a request sees its own result's events and
        // gauges. A late result (after a timeout) is still the check's newest state; background
        // results are observed once their retries are done.
        if (options.background() == null) {
            context.observer().observed(this, result);
        }
        // Not running any more before the future completes, so that callbacks (the background
        // retry logic) see the slot free; a request in between joins the not-yet-done future.
        synchronized (lock) {
            running = false;
        }
        future.complete(result);
    }

    private void timeOut(CompletableFuture<CheckResult> future, long submitted) {
        long nanos = System.nanoTime() - submitted;
        CheckResult timedOut = new CheckResult(name, context.timeoutStatus(),
                "timed out after " + timeout.toMillis() + " ms", Map.of("timeoutMs", timeout.toMillis()),
                options.critical(), true, false, Duration.ofNanos(nanos), context.clock().instant());
        if (future.complete(timedOut)) {
            synchronized (lock) {
                if (runner != null) {
                    runner.interrupt();
                }
            }
            context.observer().timed(this, nanos);
            if (options.background() == null) {
                context.observer().observed(this, timedOut);
            }
        }
    }

    private CheckResult toResult(@Nullable HealthResult outcome, @Nullable Throwable error, long nanos) {
        if (error != null) {
            return result(HealthStatus.DOWN, Failures.describe(error), Map.of("error", error.getClass().getName()),
                    false, nanos);
        }
        if (outcome == null) {
            return result(HealthStatus.DOWN, "the check returned no result (null)", Map.of(), false, nanos);
        }
        return result(outcome.status(), Failures.scrubNullable(outcome.message()), outcome.details(), false, nanos);
    }

    private CheckResult result(HealthStatus status, @Nullable String message, Map<String, Object> details,
                               boolean timedOut, long nanos) {
        return new CheckResult(name, status, message, details, options.critical(), timedOut, false,
                Duration.ofNanos(nanos), context.clock().instant());
    }

    private CheckResult backgroundView(CheckOptions.Background schedule, Instant now) {
        CheckResult s = stored;
        if (s == null) {
            return new CheckResult(name, HealthStatus.UNKNOWN,
                    "no result yet: runs in the background every " + schedule.interval(), Map.of(),
                    options.critical(), false, false, Duration.ZERO, now);
        }
        Duration age = Duration.between(s.checkedAt(), now);
        if (age.compareTo(schedule.maxStaleness()) <= 0) {
            return s;
        }
        CheckResult stale = new CheckResult(name, HealthStatus.DOWN,
                "last result is " + age.toSeconds() + " s old, older than the maximum staleness of "
                        + schedule.maxStaleness().toSeconds() + " s (it was " + s.status() + ")",
                s.details(), options.critical(), s.timedOut(), true, s.duration(), s.checkedAt());
        context.observer().observed(this, stale);
        return stale;
    }

    private void scheduleBackground(long delayNanos, int attempt) {
        if (closed) {
            return;
        }
        try {
            context.scheduler().schedule(() -> backgroundRun(attempt), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            closed = true; // the scheduler is shut down: the engine is closing
        }
    }

    private void backgroundRun(int attempt) {
        CheckOptions.Background schedule = options.background();
        if (closed || schedule == null) {
            return;
        }
        startOrJoin().whenComplete((result, error) -> {
            boolean stillRunning;
            synchronized (lock) {
                stillRunning = running;
            }
            if (result.status() == HealthStatus.DOWN && attempt < schedule.retries() && !stillRunning) {
                scheduleBackground(0, attempt + 1);
                return;
            }
            stored = result;
            context.observer().observed(this, result);
            scheduleBackground(schedule.interval().toNanos(), 0);
        });
    }
}
