package io.opskit.ratelimit.internal;

import io.opskit.api.Usd;
import io.opskit.api.budget.BudgetKey;
import io.opskit.api.budget.BudgetStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settlements (reconciles, releases, late charges) that the shared store could not take when they
 * happened, kept and retried until it does, so that no spend is ever forgotten.
 *
 * <p>Each operation is first tried at once on the caller's thread; one that fails is queued and
 * retried in order by {@link #deliverPending()} (the guard's scheduler calls it). A reconcile still
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
     * Retries waiting settlements in order, stopping at the first that fails again.
     *
     * @return how many still wait
     */
    int deliverPending() {
        synchronized (delivering) {
            for (;;) {
                Op op;
                synchronized (pending) {
                    op = pending.peekFirst();
                }
                if (op == null) {
                    if (degraded.compareAndSet(true, false)) {
                        log.info("budget store took every waiting settlement again");
                    }
                    return 0;
                }
                if (!tryDeliver(op)) {
                    return size();
                }
                synchronized (pending) {
                    pending.pollFirst();
                }
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
