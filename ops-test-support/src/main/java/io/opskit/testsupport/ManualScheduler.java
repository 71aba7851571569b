package io.opskit.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A ScheduledExecutorService driven by the test and a {@link FakeClock}: timers run only in
 * {@link #runDue()} and {@link #advanceTo}/{@link #advance}, on the calling thread, when the clock
 * reached their time. Thread-safe, so a task running on another thread may schedule.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    private final FakeClock clock;
    private final List<Timer> timers = new ArrayList<>();
    private long sequence;
    private boolean shutdown;

    /** A scheduler driven by {@code clock}. */
    public ManualScheduler(FakeClock clock) {
        this.clock = clock;
    }

    /** Runs every timer due by the clock's time, earliest first, including ones they schedule. */
    public int runDue() {
        int ran = 0;
        while (true) {
            Timer next;
            synchronized (this) {
                next = timers.stream().filter(t -> !t.due.isAfter(clock.instant()))
                        .min(Comparator.comparing((Timer t) -> t.due).thenComparingLong(t -> t.seq)).orElse(null);
                if (next == null) {
                    return ran;
                }
                timers.remove(next);
            }
            next.fire();
            ran++;
        }
    }

    /** Moves the clock to {@code target} timer by timer, running each at its time. */
    public void advanceTo(Instant target) {
        runDue();
        while (true) {
            Instant nextDue;
            synchronized (this) {
                nextDue = timers.stream().map(t -> t.due).filter(d -> !d.isAfter(target)).min(Comparator.naturalOrder())
                        .orElse(null);
            }
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

    /** Moves the clock forward by {@code d}, running each timer at its time. */
    public void advance(Duration d) {
        advanceTo(clock.instant().plus(d));
    }

    /** @return how many timers wait */
    public synchronized int pending() {
        return timers.size();
    }

    @Override
    public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return add(command, delay, unit, 0);
    }

    private synchronized Timer add(Runnable command, long delay, TimeUnit unit, long repeatNanos) {
        if (shutdown) {
            throw new RejectedExecutionException("shut down");
        }
        Timer t = new Timer(command, clock.instant().plus(Duration.ofNanos(unit.toNanos(Math.max(0, delay)))),
                sequence++, repeatNanos);
        timers.add(t);
        return t;
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        @SuppressWarnings("unchecked")
        ScheduledFuture<V> future = (ScheduledFuture<V>) schedule(() -> {
            try {
                callable.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, delay, unit);
        return future;
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return add(command, initialDelay, unit, unit.toNanos(period));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return add(command, initialDelay, unit, unit.toNanos(delay));
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
    }

    @Override
    public synchronized List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> left = timers.stream().map(t -> t.command).toList();
        timers.clear();
        return left;
    }

    @Override
    public synchronized boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }

    private final class Timer implements ScheduledFuture<Object> {
        final Runnable command;
        final long seq;
        final long repeatNanos;
        volatile Instant due;
        volatile boolean cancelled;
        volatile boolean done;
        volatile @Nullable Throwable failure;

        Timer(Runnable command, Instant due, long seq, long repeatNanos) {
            this.command = command;
            this.due = due;
            this.seq = seq;
            this.repeatNanos = repeatNanos;
        }

        void fire() {
            if (cancelled) {
                return;
            }
            try {
                command.run();
            } catch (RuntimeException | Error e) {
                // As a real scheduler does: a task that throws is done, and its repetitions end.
                failure = e;
                done = true;
                return;
            }
            if (repeatNanos > 0 && !cancelled) {
                synchronized (ManualScheduler.this) {
                    if (!shutdown) {
                        due = clock.instant().plusNanos(repeatNanos);
                        timers.add(this);
                        return;
                    }
                }
            }
            done = true;
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
        public boolean cancel(boolean mayInterruptIfRunning) {
            cancelled = true;
            synchronized (ManualScheduler.this) {
                timers.remove(this);
            }
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public Object get() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }
    }
}
