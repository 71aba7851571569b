package io.opskit.ratelimit.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/** Padding that keeps other objects' fields off the gate's cache line. */
abstract class GatePadBefore {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The fields of a {@link Gate}. */
abstract class GateFields extends GatePadBefore {
    /** 1 while a thread holds the gate. */
    volatile int lock;
    /** Requests per minute: the GCRA arrival time, nanoseconds. Guarded by the gate. */
    long rpmArrival;
    /** Tokens per minute: the GCRA arrival time, nanoseconds. Guarded by the gate. */
    long tpmArrival;
    /** What {@link #cur0} has used, micro-USD, while it is here. Guarded by the gate. */
    long used0;
    /** What {@link #cur1} has used, micro-USD, while it is here. Guarded by the gate. */
    long used1;
    /** The current period of the route's first budget line, whose count lives here. */
    @Nullable PeriodCounter cur0;
    /** The current period of the route's second budget line, whose count lives here. */
    @Nullable PeriodCounter cur1;
}

/**
 * A route's gate: a spin lock held for a few field updates, never across a store round trip, a
 * notifier or a wait, with what every admission writes beside it (the two rate limits' state and
 * the counts of the model's budgets in their current periods), padded against false sharing, so
 * that an admission moves one cache line between processors, not four.
 *
 * <p>Why a lock and not a CAS per limit: four limits decided together are one atomic instruction
 * under a gate and four with lock-free limiters, and a refusal by a later limit needs no give-back
 * that could race other admissions. Uncontended it is one CAS to enter and a release store to
 * leave; a waiter backs off and spins briefly, then yields (the holder may have lost its
 * processor), then parks.
 */
final class Gate extends GateFields {

    long p10, p11, p12, p13, p14, p15, p16, p17;

    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(GateFields.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    Gate(long rpmArrival, long tpmArrival) {
        this.rpmArrival = rpmArrival;
        this.tpmArrival = tpmArrival;
    }

    void lock() {
        if (!LOCK.compareAndSet(this, 0, 1)) {
            lockContended();
        }
    }

    private void lockContended() {
        for (int spins = 0; ; spins++) {
            if (spins < 64) {
                // Backs off before each look: a waiter reading the lock word in a tight loop would
                // pull the line, and the limits' state on it, away from the holder at every write.
                for (int i = 0; i < 8; i++) {
                    Thread.onSpinWait();
                }
            } else if (spins < 1_000) {
                Thread.yield(); // the holder may have lost its processor
            } else {
                LockSupport.parkNanos(this, 10_000L);
            }
            if ((int) LOCK.getOpaque(this) == 0 && LOCK.compareAndSet(this, 0, 1)) {
                return;
            }
        }
    }

    void unlock() {
        LOCK.setRelease(this, 0);
    }
}
