package io.opskit.ratelimit.internal;

import io.opskit.api.Usd;
import io.opskit.api.budget.BudgetKey;
import io.opskit.api.budget.BudgetStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settlements (reconciles, releases, late charges) that the shared store could not take when they
 * happened, kept and retried until it does, so that no spend is ever forgotten.
 *
 * <p>Each operation is first tried at once on the caller's thread; one that fails is queued and
 * retried, oldest first and a few at a time, by {@link #deliverPending()} (the guard's scheduler
 * calls it), so that a backlog drains at the store's group-commit rate rather than one round trip
 * at a time. A reconcile still
 * undelivered when its lease has ended is delivered as a late charge instead: the store has stopped
 * counting the reservation by then, and may have forgotten it. A release undelivered at its lease
 * end is dropped: the store has freed the reservation itself. Delivery is idempotent (fixed ids),
 * so a repeat after an ambiguous failure never counts twice, except for a reconcile that reached
 * the store and was then re-sent as a late charge, which over-charges (the safe side).
 *
 * <p>Bounded: while {@link #full()} the guard admits no new call on the store, so the queue holds
 * at most its capacity plus what the calls in flight settle. Thread-safe.
 */
final class SettlementQueue {

    private static final Logger log = LoggerFactory.getLogger(SettlementQueue.class);
    /** Settlements delivered at once from the backlog. */
    static final int IN_FLIGHT = 8;

    /** One settlement for the store. */
    sealed interface Op permits Reconcile, Release, LateCharge {
        BudgetKey key();

        long leaseUntilMillis();
    }

    /** Turns a reservation into spend. */
    record Reconcile(BudgetKey key, String id, long actualMicros, long leaseUntilMillis) implements Op {
    }

    /** Drops a reservation. */
    record Release(BudgetKey key, String id, long leaseUntilMillis) implements Op {
    }

    /** Records spend without a live reservation: reserved without a limit and reconciled at once. */
    record LateCharge(BudgetKey key, String id, long actualMicros, long leaseUntilMillis) implements Op {
    }

    private final BudgetStore store;
    private final Clock clock;
    private final int capacity;
    private final ArrayDeque<Op> pending = new ArrayDeque<>();
    private final AtomicBoolean degraded = new AtomicBoolean();
    private final Object delivering = new Object();
    /** Created on the first backlog; guarded by {@link #delivering}. */
    private @Nullable ThreadPoolExecutor deliverers;

    SettlementQueue(BudgetStore store, Clock clock, int capacity) {
        this.store = store;
        this.clock = clock;
        this.capacity = capacity;
    }

    /** Delivers {@code op} now, or keeps it for a retry. Never throws. */
    void submit(Op op) {
        if (!tryDeliver(op)) {
            synchronized (pending) {
                pending.addLast(op);
            }
            if (degraded.compareAndSet(false, true)) {
                log.warn("budget store refused a settlement ({}); it is kept and retried, and new calls are refused "
                        + "while {} or more wait", describe(op), capacity);
            }
        }
    }

    /** True while so many settlements wait that new admissions must be refused. */
    boolean full() {
        synchronized (pending) {
            return pending.size() >= capacity;
        }
    }

    int size() {
        synchronized (pending) {
            return pending.size();
        }
    }

    /**
     * Retries waiting settlements, oldest first, up to {@value #IN_FLIGHT} at a time so that a
     * group-committing store combines them; stops after a round in which one failed again (those
     * stay at the head, in order).
     *
     * @return how many still wait
     */
    int deliverPending() {
        synchronized (delivering) {
            for (;;) {
                List<Op> round = new ArrayList<>(IN_FLIGHT);
                synchronized (pending) {
                    Iterator<Op> it = pending.iterator();
                    while (round.size() < IN_FLIGHT && it.hasNext()) {
                        round.add(it.next());
                    }
                }
                if (round.isEmpty()) {
                    if (degraded.compareAndSet(true, false)) {
                        log.info("budget store took every waiting settlement again");
                    }
                    return 0;
                }
                boolean[] delivered = deliverAll(round);
                boolean allDelivered = true;
                synchronized (pending) {
                    for (int i = 0; i < round.size(); i++) {
                        if (delivered[i]) {
                            pending.removeFirstOccurrence(round.get(i));
                        } else {
                            allDelivered = false;
                        }
                    }
                }
                if (!allDelivered) {
                    return size();
                }
            }
        }
    }

    /** Delivers {@code round} at once: on this thread alone, or spread over the delivery threads. */
    private boolean[] deliverAll(List<Op> round) {
        boolean[] delivered = new boolean[round.size()];
        if (round.size() == 1) {
            delivered[0] = tryDeliver(round.get(0));
            return delivered;
        }
        ExecutorService threads = deliverers();
        List<Future<Boolean>> results = new ArrayList<>(round.size());
        for (Op op : round) {
            try {
                results.add(threads.submit(() -> tryDeliver(op)));
            } catch (RejectedExecutionException closed) {
                results.add(CompletableFuture.completedFuture(tryDeliver(op)));
            }
        }
        for (int i = 0; i < results.size(); i++) {
            try {
                delivered[i] = results.get(i).get();
            } catch (ExecutionException e) {
                delivered[i] = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                delivered[i] = false; // the rest is still pending; the next round takes it
            }
        }
        return delivered;
    }

    private ExecutorService deliverers() {
        synchronized (delivering) {
            ThreadPoolExecutor threads = deliverers;
            if (threads == null) {
                threads = new ThreadPoolExecutor(IN_FLIGHT, IN_FLIGHT, 10, TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(), runnable -> {
                            Thread t = new Thread(runnable, "opskit-ai-guard-settlement");
                            t.setDaemon(true);
                            return t;
                        });
                threads.allowCoreThreadTimeOut(true); // threads exist only while a backlog is delivered
                deliverers = threads;
            }
            return threads;
        }
    }

    /** Stops the delivery threads (after a last {@link #deliverPending()} by the caller). */
    void close() {
        synchronized (delivering) {
            if (deliverers != null) {
                deliverers.shutdownNow();
            }
        }
    }

    /** What is still undelivered, micro-USD of spend (for the log at close). */
    long undeliveredMicros() {
        long sum = 0;
        synchronized (pending) {
            for (Op op : pending) {
                if (op instanceof Reconcile r) {
                    sum += r.actualMicros();
                } else if (op instanceof LateCharge l) {
                    sum += l.actualMicros();
                }
            }
        }
        return sum;
    }

    private boolean tryDeliver(Op op) {
        Instant now = clock.instant();
        boolean leaseOver = now.toEpochMilli() >= op.leaseUntilMillis();
        try {
            if (op instanceof Reconcile r) {
                if (leaseOver) {
                    late(r.key(), r.id() + "-late", r.actualMicros(), now);
                } else {
                    store.reconcile(r.key(), r.id(), r.actualMicros(), now);
                }
            } else if (op instanceof Release r) {
                if (!leaseOver) {
                    store.release(r.key(), r.id());
                }
            } else if (op instanceof LateCharge l) {
                late(l.key(), l.id(), l.actualMicros(), now);
            }
            return true;
        } catch (RuntimeException e) { // BudgetStoreException, or whatever a third-party store throws
            log.debug("budget store settlement failed: {}: {}", describe(op), e.toString());
            return false;
        }
    }

    private void late(BudgetKey key, String id, long micros, Instant now) {
        if (micros == 0) {
            return;
        }
        // The SPI records spend only through a reservation: reserve without a limit, then reconcile.
        store.reserve(key, id, micros, Long.MAX_VALUE, now, now.plusSeconds(600));
        store.reconcile(key, id, micros, now);
    }

    private static String describe(Op op) {
        if (op instanceof Reconcile r) {
            return "reconcile " + Usd.ofMicros(r.actualMicros()) + " on " + r.key().scope() + " " + r.key().period();
        }
        if (op instanceof LateCharge l) {
            return "late charge " + Usd.ofMicros(l.actualMicros()) + " on " + l.key().scope() + " " + l.key().period();
        }
        return "release on " + op.key().scope() + " " + op.key().period();
    }
}
