package io.opskit.notify;

import io.opskit.testsupport.FakeTicker;
import java.time.Duration;
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
 * A scheduler whose timers fire only when the test advances its {@link FakeTicker}; {@code execute}
 * runs at once on the caller's thread. Enough of {@link ScheduledExecutorService} for AsyncNotifier.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    final FakeTicker ticker = new FakeTicker();
    private final List<Timer> timers = new ArrayList<>();
    private boolean shutdown;

    /** Moves time forward, running every timer that falls due (including ones they schedule). */
    void advance(Duration amount) {
        long until = ticker.read() + amount.toNanos();
        while (true) {
            Timer next;
            synchronized (this) {
                next = timers.stream().filter(t -> t.due <= until).min(Comparator.comparingLong(t -> t.due))
                        .orElse(null);
                if (next == null) {
                    break;
                }
                timers.remove(next);
            }
            long now = ticker.read();
            if (next.due > now) {
                ticker.advance(Duration.ofNanos(next.due - now));
            }
            next.task.run();
        }
        long now = ticker.read();
        if (until > now) {
            ticker.advance(Duration.ofNanos(until - now));
        }
    }

    synchronized int pendingTimers() {
        return timers.size();
    }

    @Override
    public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Timer t = new Timer(ticker.read() + unit.toNanos(delay), command);
        timers.add(t);
        return t;
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
    public void execute(Runnable command) {
        command.run();
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown();
        return List.of();
    }

    @Override
    public synchronized boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return isShutdown();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }

    private final class Timer implements ScheduledFuture<Object> {
        final long due;
        final Runnable task;

        Timer(long due, Runnable task) {
            this.due = due;
            this.task = task;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - ticker.read(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            synchronized (ManualScheduler.this) {
                return timers.remove(this);
            }
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return false;
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
