package io.opskit.notify;

import io.opskit.api.Redactor;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.notify.internal.DeliveryMeters;
import io.opskit.notify.internal.Events;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to another {@link Notifier} off the publisher's thread, so a slow or failing
 * receiver never delays the module that published: {@link #notify(OpsEvent)} redacts the event,
 * applies de-duplication and the rate limit, puts it in a bounded queue and returns.
 *
 * <p>One delivery runs at a time, oldest first. A failed attempt that may succeed later (a
 * {@link NotificationException#isTransient() transient} failure, or an {@link UncheckedIOException})
 * is retried with the {@link Delivery}'s backoff while the event stays at the head of the queue, so
 * nothing queued is lost while a receiver is briefly down; other failures, and the last attempt,
 * write one dead-letter line per event at WARN (logger {@code io.opskit.notify.deadletter}, redacted).
 * When the queue is full new events are dropped, counted and logged once per episode.
 *
 * <p>With a {@link Delivery#rateLimit() rate limit}, the first event of a source in a window is
 * delivered at once and later ones are held; when the window ends the newest held event is delivered
 * with label {@code suppressed} (and a note in the summary) counting the others, so the latest state of
 * a source always arrives. Identical events (same type, severity and summary) from one source within
 * the {@link Delivery#dedupWindow() de-duplication window} are delivered once.
 *
 * <p>{@link #close()} stops accepting events, releases held ones, delivers what is queued for up to
 * the drain timeout (measured on the system's monotonic clock), dead-letters the rest, stops the
 * threads it created and closes the delegate when it is {@link AutoCloseable}. Thread-safe.
 */
public final class AsyncNotifier implements Notifier, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AsyncNotifier.class);
    private static final Logger deadLetters = LoggerFactory.getLogger("io.opskit.notify.deadletter");
    private static final int MAX_TRACKED_SOURCES = 10_000;

    private final String name;
    private final Notifier delegate;
    private final Delivery delivery;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final @Nullable ExecutorService ownExecutor;
    private final @Nullable ScheduledExecutorService ownScheduler;
    private final DeliveryMeters meters;
    private final long dedupNanos;
    private final long rateNanos;
    private final long batchNanos;

    private final Object lock = new Object();
    private final ArrayDeque<Unit> queue = new ArrayDeque<>();
    private List<OpsEvent> batchPending = new ArrayList<>();
    private volatile int depth;
    private boolean draining;
    private boolean full;
    private volatile long closeDeadline;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean failing = new AtomicBoolean();
    private final Map<String, SourceState> sources = new ConcurrentHashMap<>();

    AsyncNotifier(String name, Notifier delegate, Delivery delivery) {
        this.name = Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank: '" + name + "'");
        }
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.delivery = Objects.requireNonNull(delivery, "delivery");
        if (delivery.executor != null) {
            this.executor = delivery.executor;
            this.ownExecutor = null;
        } else {
            ExecutorService own = Executors.newSingleThreadExecutor(daemon("opskit-notify-" + name));
            this.executor = own;
            this.ownExecutor = own;
        }
        if (delivery.scheduler != null) {
            this.scheduler = delivery.scheduler;
            this.ownScheduler = null;
        } else {
            ScheduledExecutorService own = Executors.newSingleThreadScheduledExecutor(
                    daemon("opskit-notify-" + name + "-timer"));
            this.scheduler = own;
            this.ownScheduler = own;
        }
        this.dedupNanos = delivery.dedupWindow.toNanos();
        this.rateNanos = delivery.rateLimit.toNanos();
        this.batchNanos = delivery.batch.toNanos();
        this.meters = DeliveryMeters.of(delivery.meterRegistry, name, () -> depth);
    }

    /** The name used in metric tags and log lines. */
    public String name() {
        return name;
    }

    /** Events waiting for delivery (queued, in a digest being collected, or being delivered). */
    public int queueDepth() {
        return depth;
    }

    /**
     * Accepts an event for delivery and returns at once; never blocks on the receiver, never throws
     * for a delivery problem.
     *
     * @throws NullPointerException when {@code event} is null
     */
    @Override
    public void notify(OpsEvent event) {
        offer(event);
    }

    /**
     * Accepts a batch; each event is handled as by {@link #notify(OpsEvent)}.
     *
     * @throws NullPointerException when {@code events} or one of them is null
     */
    @Override
    public void notifyBatch(List<OpsEvent> events) {
        for (OpsEvent event : List.copyOf(events)) {
            offer(event);
        }
    }

    /**
     * Like {@link #notify(OpsEvent)}, and says whether the event was accepted: {@code false} when it
     * was dropped because the queue is full or the notifier is closed. An event held back by
     * de-duplication or the rate limit counts as accepted.
     *
     * @throws NullPointerException when {@code event} is null
     */
    public boolean offer(OpsEvent event) {
        Objects.requireNonNull(event, "event");
        if (closed.get()) {
            meters.dropped(DeliveryMeters.CLOSED, 1);
            log.debug("{}: closed, dropped {} from {}", name, event.type(), Redactor.redact(event.source()));
            return false;
        }
        OpsEvent redacted = Events.redact(event);
        OpsEvent admitted = admit(redacted);
        return admitted == null || enqueue(admitted);
    }

    // ---- de-duplication and rate limit, per source

    private @Nullable OpsEvent admit(OpsEvent e) {
        if (dedupNanos == 0 && rateNanos == 0) {
            return e;
        }
        if (sources.size() > MAX_TRACKED_SOURCES) {
            forgetIdleSources();
        }
        SourceState s = sources.computeIfAbsent(e.source(), k -> new SourceState());
        long now = delivery.ticker.read();
        String key = key(e);
        synchronized (s) {
            s.lastSeen = now;
            if (dedupNanos > 0 && key.equals(s.lastKey) && now - s.lastAt < dedupNanos) {
                s.held++;
                meters.suppressed(DeliveryMeters.DUPLICATE);
                return null;
            }
            s.lastKey = key;
            s.lastAt = now;
            if (rateNanos > 0 && s.windowOpen && now - s.windowStart < rateNanos) {
                if (s.pending != null) {
                    s.held++;
                    meters.suppressed(DeliveryMeters.RATE_LIMITED);
                }
                s.pending = e;
                if (!s.flushScheduled) {
                    s.flushScheduled = true;
                    schedule(() -> flushHeld(e.source(), s), rateNanos - (now - s.windowStart));
                }
                return null;
            }
            long suppressed = s.held;
            if (s.pending != null) {
                suppressed++;
                meters.suppressed(DeliveryMeters.RATE_LIMITED);
                s.pending = null;
            }
            s.held = 0;
            s.windowOpen = rateNanos > 0;
            s.windowStart = now;
            return Events.withSuppressed(e, suppressed);
        }
    }

    private void flushHeld(String source, SourceState s) {
        OpsEvent out;
        synchronized (s) {
            s.flushScheduled = false;
            if (s.pending == null) {
                return;
            }
            long now = delivery.ticker.read();
            long remaining = rateNanos - (now - s.windowStart);
            if (remaining > 0 && !closed.get()) {
                s.flushScheduled = true;
                schedule(() -> flushHeld(source, s), remaining);
                return;
            }
            out = Events.withSuppressed(s.pending, s.held);
            s.pending = null;
            s.held = 0;
            s.windowOpen = true;
            s.windowStart = now;
        }
        enqueue(out);
    }

    private void forgetIdleSources() {
        long now = delivery.ticker.read();
        long idle = Math.max(dedupNanos, rateNanos);
        sources.entrySet().removeIf(en -> {
            SourceState s = en.getValue();
            synchronized (s) {
                return s.pending == null && now - s.lastSeen > idle;
            }
        });
    }

    private static String key(OpsEvent e) {
        return e.type() + '\u0000' + e.severity() + '\u0000' + e.summary();
    }

    // ---- the queue

    private boolean enqueue(OpsEvent e) {
        boolean start = false;
        boolean scheduleBatch = false;
        synchronized (lock) {
            if (depth >= delivery.queueCapacity) {
                if (!full) {
                    full = true;
                    log.warn("{}: notification queue full ({} events); new events are dropped until it drains",
                            name, delivery.queueCapacity);
                }
                meters.dropped(DeliveryMeters.QUEUE_FULL, 1);
                deadLetters.debug("{}: dropped (queue full) {} {} [{}] {}", name, e.type(), e.source(), e.severity(),
                        e.summary());
                return false;
            }
            depth++;
            if (batchNanos > 0 && !closed.get()) {
                batchPending.add(e);
                scheduleBatch = batchPending.size() == 1;
            } else {
                queue.addLast(new Unit(List.of(e)));
                start = startDrainLocked();
            }
        }
        if (scheduleBatch) {
            schedule(this::flushBatch, batchNanos);
        }
        if (start) {
            execute();
        }
        return true;
    }

    private void flushBatch() {
        boolean start;
        synchronized (lock) {
            if (batchPending.isEmpty()) {
                return;
            }
            queue.addLast(new Unit(List.copyOf(batchPending)));
            batchPending = new ArrayList<>();
            start = startDrainLocked();
        }
        if (start) {
            execute();
        }
    }

    private boolean startDrainLocked() {
        if (draining) {
            return false;
        }
        draining = true;
        return true;
    }

    private void execute() {
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            stopDraining();
            log.debug("{}: executor refused the delivery task: {}", name, e.toString());
        }
    }

    private void schedule(Runnable task, long delayNanos) {
        try {
            scheduler.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("{}: scheduler refused a timer: {}", name, e.toString());
            if (closed.get()) {
                return;
            }
            throw e;
        }
    }

    private void stopDraining() {
        synchronized (lock) {
            draining = false;
            lock.notifyAll();
        }
    }

    private void drain() {
        while (true) {
            Unit unit;
            synchronized (lock) {
                unit = queue.peekFirst();
                if (unit == null) {
                    draining = false;
                    full = false;
                    lock.notifyAll();
                    return;
                }
            }
            RuntimeException failure = attempt(unit);
            if (failure == null) {
                if (failing.compareAndSet(true, false)) {
                    log.info("{}: delivering again", name);
                }
                meters.sent(DeliveryMeters.DELIVERED, unit.events.size());
                remove(unit);
                continue;
            }
            unit.attempts++;
            boolean retry = isTransient(failure) && unit.attempts < delivery.maxAttempts;
            long delay = delivery.backoffAfter(unit.attempts).toNanos();
            if (retry && closed.get()) {
                long left = closeDeadline - System.nanoTime();
                retry = left > 0 && !Thread.currentThread().isInterrupted();
                delay = Math.min(delay, Math.max(0, left));
            }
            if (retry) {
                meters.retried();
                String reason = Redactor.redact(String.valueOf(failure.getMessage()));
                if (failing.compareAndSet(false, true)) {
                    log.warn("{}: delivery failed, retrying (attempt {} of {}): {}", name, unit.attempts,
                            delivery.maxAttempts, reason);
                } else {
                    log.debug("{}: delivery failed again (attempt {} of {}): {}", name, unit.attempts,
                            delivery.maxAttempts, reason);
                }
                try {
                    scheduler.schedule(this::execute, delay, TimeUnit.NANOSECONDS);
                    return;
                } catch (RejectedExecutionException e) {
                    // the scheduler is gone (closing): give up on this unit below
                }
            }
            failing.set(true);
            deadLetter(unit, "after " + unit.attempts + " attempt" + (unit.attempts == 1 ? "" : "s") + ": "
                    + Redactor.redact(String.valueOf(failure.getMessage())));
            meters.sent(DeliveryMeters.FAILED, unit.events.size());
            remove(unit);
        }
    }

    private @Nullable RuntimeException attempt(Unit unit) {
        try {
            if (unit.events.size() == 1) {
                delegate.notify(unit.events.get(0));
            } else {
                delegate.notifyBatch(unit.events);
            }
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static boolean isTransient(RuntimeException e) {
        if (e instanceof NotificationException n) {
            return n.isTransient();
        }
        return e instanceof UncheckedIOException;
    }

    private void remove(Unit unit) {
        synchronized (lock) {
            if (queue.peekFirst() == unit) {
                queue.pollFirst();
                depth -= unit.events.size();
            }
            lock.notifyAll();
        }
    }

    private void deadLetter(Unit unit, String why) {
        for (OpsEvent e : unit.events) {
            deadLetters.warn("{}: notification not delivered {}; event {} {} [{}] at {}: {} {}", name, why, e.type(),
                    e.source(), e.severity(), e.at(), e.summary(), e.labels());
        }
    }

    /**
     * Stops accepting events, delivers what is queued (held and batched events included) for up to the
     * drain timeout, logs what is left as dead letters, stops the threads this notifier created and
     * closes the delegate when it is {@link AutoCloseable}. Idempotent; returns within about the drain
     * timeout even when the receiver hangs.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + delivery.drainTimeout.toNanos();
        closeDeadline = deadline;
        for (Map.Entry<String, SourceState> en : sources.entrySet()) {
            flushHeld(en.getKey(), en.getValue());
        }
        flushBatch();
        List<Unit> left = new ArrayList<>();
        synchronized (lock) {
            try {
                while (!queue.isEmpty()) {
                    long waitNanos = deadline - System.nanoTime();
                    if (waitNanos <= 0 || !draining) {
                        break;
                    }
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            left.addAll(queue);
            queue.clear();
            depth = 0;
        }
        int lost = 0;
        for (Unit unit : left) {
            deadLetter(unit, "before close (drain time " + delivery.drainTimeout + " ran out)");
            lost += unit.events.size();
        }
        if (lost > 0) {
            meters.dropped(DeliveryMeters.CLOSED, lost);
        }
        if (ownScheduler != null) {
            ownScheduler.shutdownNow();
        }
        if (ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
        if (delegate instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("{}: closing the notifier failed: {}", name, Redactor.redact(e.toString()));
            }
        }
    }

    @Override
    public String toString() {
        return "AsyncNotifier[" + name + "]";
    }

    private static ThreadFactory daemon(String threadName) {
        return r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        };
    }

    /** Events delivered in one call, and the attempts made so far (touched only by the drain). */
    private static final class Unit {
        final List<OpsEvent> events;
        int attempts;

        Unit(List<OpsEvent> events) {
            this.events = events;
        }
    }

    /** What the rate limit and de-duplication remember about one source; guarded by itself. */
    private static final class SourceState {
        @Nullable String lastKey;
        long lastAt;
        long lastSeen;
        boolean windowOpen;
        long windowStart;
        @Nullable OpsEvent pending;
        long held;
        boolean flushScheduled;
    }
}
