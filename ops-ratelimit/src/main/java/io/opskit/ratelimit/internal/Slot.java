package io.opskit.ratelimit.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One place for a call in flight; a route has {@code maxConcurrent} of them, reused, so admission
 * allocates nothing. {@link #owner} is {@link #FREE}, {@link #BUSY} while being claimed or ended,
 * {@link #DONE} once its call ended and left what it used in the {@code done} fields for the
 * route to fold in, and otherwise the stamp of the call holding it.
 *
 * <p>Claiming a free or done slot, folding a done one and freeing it happen under the route's gate.
 * Ending a call does not take the gate: the holder moves its stamp to {@code BUSY} by CAS (which
 * also beats a concurrent lease sweep or a second report), writes the {@code done} fields and
 * publishes {@code DONE} with a release store. The other fields are written before the stamp is
 * published and read by whoever wins the CAS from it, or under the gate.
 */
final class Slot {

    static final long FREE = 0;
    static final long BUSY = -1;
    static final long DONE = -2;

    final int index;
    final AtomicLong owner = new AtomicLong();
    /**
     * The stamp of the last call whose lease expired here, until it reports back late (and is
     * charged) or another call's lease expires; 0 when none. Lets a late report be told from a
     * second report of a call that already ended, which is ignored.
     */
    final AtomicLong expired = new AtomicLong();
    int generation;
    final PeriodCounter[] counters;
    final long[] reserved;
    @Nullable BudgetLine[] lines;
    int lineCount;
    long tokens;
    long leaseDeadlineNanos;
    @Nullable String reservationId;
    @Nullable String tenant;
    /** What the ended call cost, micro-USD; replaces its reservation when folded. */
    long doneCost;
    /** Tokens the ended call used; the difference from {@link #tokens} goes back to the TPM limit. */
    long doneTokens;
    /** The ended call never reached the provider: its request permit goes back too. */
    boolean doneUnsent;

    Slot(int index, int maxLines) {
        this.index = index;
        this.counters = new PeriodCounter[maxLines];
        this.reserved = new long[maxLines];
    }
}
