package io.opskit.ratelimit.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One place for a call in flight; a route has {@code maxConcurrent} of them, reused, so admission
 * allocates nothing. {@link #owner} is 0 when free, {@link #BUSY} while being claimed or settled,
 * and otherwise the stamp of the call holding it. The other fields are written by the holder
 * before it publishes its stamp and read only by whoever wins the CAS from that stamp.
 */
final class Slot {

    static final long BUSY = -1;

    final int index;
    final AtomicLong owner = new AtomicLong();
    int generation;
    final PeriodCounter[] counters;
    final long[] reserved;
    @Nullable BudgetLine[] lines;
    int lineCount;
    long tokens;
    long acquiredNanos;
    long leaseDeadlineNanos;
    @Nullable String reservationId;
    @Nullable String tenant;

    Slot(int index, int maxLines) {
        this.index = index;
        this.counters = new PeriodCounter[maxLines];
        this.reserved = new long[maxLines];
    }
}
