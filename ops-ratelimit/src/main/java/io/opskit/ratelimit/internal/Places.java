package io.opskit.ratelimit.internal;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The places for concurrent calls to one model: a fair semaphore, so a caller that finds every
 * place taken parks (it costs no processor time while it waits) and callers are served in the order
 * they arrived when a place frees. Thread-safe.
 */
final class Places {

    private final int max;
    private final Semaphore permits;

    Places(int max) {
        this.max = max;
        this.permits = new Semaphore(max, true);
    }

    /**
     * Takes a place, parking up to {@code waitNanos} for one. Queued callers keep their turn: even a
     * zero wait does not overtake them.
     *
     * @return whether a place was taken; false also when the thread was interrupted (its flag is kept)
     */
    boolean take(long waitNanos) {
        try {
            return permits.tryAcquire(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Gives a place back; wakes the longest waiter. */
    void give() {
        permits.release();
    }

    int max() {
        return max;
    }

    int inUse() {
        return max - permits.availablePermits();
    }

    int waiting() {
        return permits.getQueueLength();
    }
}
