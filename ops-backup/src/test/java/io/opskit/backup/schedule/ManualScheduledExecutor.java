package io.opskit.backup.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A single-threaded ScheduledExecutorService driven by the test: tasks run only in
 * {@link #runDue()} / {@link #advanceTo}, when the {@link MutableClock} has reached their due
 * time. Re-entrant, so a task can move the clock and run what falls due meanwhile.
 */
final class ManualScheduledExecutor extends AbstractExecutorService implements ScheduledExecutorService {

    private final MutableClock clock;
    private final List<Job> jobs = new ArrayList<>();
    private long sequence;
    private boolean shutdown;

    ManualScheduledExecutor(MutableClock clock) {
        this.clock = clock;
    }

    /** Runs every task due at the clock's current time, earliest first, including ones they schedule. */
    int runDue() {
        int ran = 0;
        while (true) {
            Job next = jobs.stream().filter(j -> !j.due.isAfter(clock.instant()))
                    .min(Comparator.comparing((Job j) -> j.due).thenComparingLong(j -> j.seq)).orElse(null);
            if (next == null) {
                return ran;
            }
            jobs.remove(next);
            next.done = true;
            next.task.run();
            ran++;
        }
    }

    /** Moves the clock forward to {@code target} step by step, running each task at its due time. */
    void advanceTo(Instant target) {
        runDue();
        while (true) {
            Instant nextDue = jobs.stream().map(j -> j.due).filter(d -> !d.isAfter(target)).min(Comparator.naturalOrder())
                    .orElse(null);
            if (nextDue == null) {
                break;
            }
            if (nextDue.isAfter(clock.instant())) {
                clock.set(nextDue);
            }
            runDue();
        }
        if (target.isAfter(clock.instant())) {
            clock.set(target);
        }
    }

    int pending() {
        return jobs.size();
    }

    List<Instant> pendingDueTimes() {
        return jobs.stream().map(j -> j.due).sorted().toList();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (shutdown) {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }
        Job job = new Job(command, clock.instant().plus(Duration.ofNanos(unit.toNanos(delay))), sequence++);
        jobs.add(job);
        return job;
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && jobs.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }

    private final class Job implements ScheduledFuture<Object> {
        final Runnable task;
        final Instant due;
        final long seq;
        boolean done;
        boolean cancelled;

        Job(Runnable task, Instant due, long seq) {
            this.task = task;
            this.due = due;
            this.seq = seq;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(Duration.between(clock.instant(), due).toNanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterrupt) {
            if (done) {
                return false;
            }
            cancelled = true;
            done = true;
            return jobs.remove(this);
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
