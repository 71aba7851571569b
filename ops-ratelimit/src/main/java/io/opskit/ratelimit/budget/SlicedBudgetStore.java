package io.opskit.ratelimit.budget;

import io.opskit.api.internal.Checks;
import io.opskit.api.budget.Admission;
import io.opskit.api.budget.BudgetKey;
import io.opskit.api.budget.BudgetStore;
import io.opskit.api.budget.BudgetStoreException;
import io.opskit.api.budget.BudgetUsage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spends leased slices of a shared budget in memory, to cut round trips to a shared store such as
 * {@link JdbcBudgetStore}. Build it with {@link #builder(BudgetStore)}.
 *
 * <p>How it works: for a budget period, the instance reserves a slice ({@link Builder#sliceMicros})
 * in the shared store, as an ordinary admitted reservation with a lease of
 * {@link Builder#sliceLease}. Reservations that fit in the slice are then admitted in memory;
 * their reconciled spend is added up locally. A slice retires when the next reservation does not
 * fit, or {@link Builder#settleMargin} before its lease ends: its still-open reservations are first
 * re-made directly in the shared store, then the slice is reconciled to what was really spent,
 * which returns the unused part. Reservations larger than a slice, or arriving when no whole slice
 * fits any more, go directly to the shared store, so the last part of a budget is admitted exactly.
 *
 * <p>Checkpoints: at most every {@link Builder#checkpointInterval} (default one second) the spend
 * reported inside a slice is recorded in the shared store, so that an instance killed while it
 * holds a slice is charged there for what its calls reported up to its last checkpoint; the rest of
 * its slice stops counting at the slice's lease end.
 *
 * <p>Worst-case overspend beyond the hard limit {@code L}, with slice size {@code S}:
 * <pre>
 *   overspend ≤ Σ u + Σ max(0, actual − reserved)      (each u ≤ S)
 * </pre>
 * where the first sum runs over the slices whose lease ended before they were retired, and
 * {@code u} is the spend reported in such a slice after its last checkpoint: at most what its
 * holder's calls reported in one {@code checkpointInterval}, and 0 with
 * {@code checkpointInterval(Duration.ZERO)}. A lease ends unretired only for an instance that died
 * (or stopped without {@link #close()}), or that made no budget operation on that period during a
 * slice's last {@code settleMargin} and was given no {@link Builder#scheduler scheduler}. With live
 * instances that retire their slices in time the first sum is 0: slices are admitted reservations,
 * local admissions never exceed their slice, and open reservations move to the shared store before
 * a slice gives its unused part back, so the shared store never counts less than is held or spent.
 * The last term is the same as without slices (a call that costs more than its reservation).
 *
 * <p>Figures in the returned {@link Admission}s are the shared store's as of the last slice lease,
 * with the whole slice counted as reserved. {@link #usage} reads the shared store.
 *
 * <p>Thread-safe: each budget period has its own monitor, held across the shared store's round
 * trip only when a slice is leased, checkpointed or retired.
 */
public final class SlicedBudgetStore implements BudgetStore, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlicedBudgetStore.class);
    private static final int MAX_LATE_IDS = 10_000;

    private final BudgetStore shared;
    private final long sliceMicros;
    private final Duration sliceLease;
    private final Duration settleMargin;
    private final Duration checkpointInterval;
    private final Clock clock;
    private final String instance = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong sliceCounter = new AtomicLong();
    private final ConcurrentHashMap<BudgetKey, Local> locals = new ConcurrentHashMap<>();
    private final @Nullable ScheduledFuture<?> settling;

    private SlicedBudgetStore(Builder builder) {
        this.shared = builder.shared;
        this.sliceMicros = builder.sliceMicros;
        this.sliceLease = builder.sliceLease;
        this.settleMargin = builder.settleMargin != null ? builder.settleMargin : builder.sliceLease.dividedBy(4);
        if (settleMargin.compareTo(sliceLease) >= 0) {
            throw new IllegalArgumentException(
                    "settleMargin must be shorter than sliceLease (" + sliceLease + "): " + settleMargin);
        }
        this.checkpointInterval = builder.checkpointInterval;
        this.clock = builder.clock;
        if (builder.scheduler != null) {
            long every = Math.max(1, settleMargin.toMillis() / 2);
            if (!checkpointInterval.isZero()) {
                every = Math.max(1, Math.min(every, checkpointInterval.toMillis()));
            }
            this.settling = builder.scheduler.scheduleWithFixedDelay(this::settleDueQuietly, every, every,
                    TimeUnit.MILLISECONDS);
        } else {
            this.settling = null;
        }
    }

    /** Starts configuring a sliced store over {@code shared}. */
    public static Builder builder(BudgetStore shared) {
        return new Builder(shared);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when an amount is negative, the id is empty or longer than
     *         64 characters, or {@code leaseUntil} is not after {@code now}
     * @throws BudgetStoreException when a slice must be leased or retired and the shared store fails
     */
    @Override
    public Admission reserve(BudgetKey key, String reservationId, long amountMicros, long limitMicros,
                             Instant now, Instant leaseUntil) {
        Arguments.checkReserve(key, reservationId, amountMicros, limitMicros, now, leaseUntil);
        Local local = locals.computeIfAbsent(key, Local::new);
        Admission admission = local.reserve(reservationId, amountMicros, limitMicros, now, leaseUntil);
        if (admission == null) {
            // Direct admissions run outside the period's monitor so that they can share round trips.
            admission = shared.reserve(key, reservationId, amountMicros, limitMicros, now, leaseUntil);
            local.sawShared(admission);
        }
        return admission;
    }

    /** {@inheritDoc} Local reservations are settled in memory; others go to the shared store. */
    @Override
    public void reconcile(BudgetKey key, String reservationId, long actualMicros, Instant now) {
        Objects.requireNonNull(key, "key");
        Arguments.checkId(reservationId);
        Arguments.checkMicros("actualMicros", actualMicros);
        Objects.requireNonNull(now, "now");
        Local local = locals.get(key);
        if (local == null || !local.reconcile(reservationId, actualMicros, now)) {
            shared.reconcile(key, reservationId, actualMicros, now);
        }
    }

    /** {@inheritDoc} */
    @Override
    public void release(BudgetKey key, String reservationId) {
        Objects.requireNonNull(key, "key");
        Arguments.checkId(reservationId);
        Local local = locals.get(key);
        if (local == null || !local.release(reservationId)) {
            shared.release(key, reservationId);
        }
    }

    /** {@inheritDoc} Reads the shared store: unused parts of live slices count as reserved. */
    @Override
    public BudgetUsage usage(BudgetKey key, Instant now) {
        return shared.usage(key, now);
    }

    /**
     * Retires every slice that is within {@code settleMargin} of its lease end at {@code now}.
     * Budget operations do this for their own period; call it (or give the builder a scheduler)
     * so that idle periods settle too.
     *
     * @throws BudgetStoreException when the shared store fails
     */
    public void settleDue(Instant now) {
        Objects.requireNonNull(now, "now");
        for (Local local : locals.values()) {
            local.settleDue(now);
        }
    }

    private void settleDueQuietly() {
        try {
            settleDue(clock.instant());
        } catch (RuntimeException e) {
            LOG.debug("settling slices failed; will retry: {}", e.getMessage());
        }
    }

    /**
     * Retires every slice now (open reservations move to the shared store, unused parts return)
     * and stops the scheduled settling. Does not close the shared store.
     *
     * @throws BudgetStoreException when the shared store fails
     */
    @Override
    public void close() {
        if (settling != null) {
            settling.cancel(false);
        }
        Instant now = clock.instant();
        for (Local local : locals.values()) {
            local.retireNow(now);
        }
    }

    @Override
    public String toString() {
        return "SlicedBudgetStore[slice=" + sliceMicros + " micro-USD, lease=" + sliceLease + ", shared=" + shared + "]";
    }

    /** One period's slice and the reservations admitted in it. */
    private final class Local {

        private final BudgetKey key;
        private final Map<String, Hold> holds = new HashMap<>();
        /** Ids of local reservations that ended unreported in a retired slice: a late reconcile records spend. */
        private final LinkedHashSet<String> late = new LinkedHashSet<>();
        private @Nullable Slice slice;
        private Admission lastShared = new Admission(false, 0, 0, 0);
        /** True while the shared store has no room for a whole slice: admit directly, don't ask for slices. */
        private boolean noSliceFits;

        Local(BudgetKey key) {
            this.key = key;
        }

        /** Admits in memory, or returns null when the reservation must go directly to the shared store. */
        synchronized @Nullable Admission reserve(String id, long amount, long limit, Instant now, Instant leaseUntil) {
            Slice current = slice;
            if (current != null && (!now.isBefore(current.retireAt) || current.limit != limit)) {
                retire(now);
                current = null;
            }
            if (current != null) {
                current.expireHolds(now, holds, late);
                if (holds.containsKey(id)) {
                    return local(true, limit);
                }
            }
            if (amount > sliceMicros) {
                return null;
            }
            if (current != null && current.free() < amount) {
                retire(now);
                current = null;
            }
            if (current == null) {
                if (noSliceFits) {
                    return null;
                }
                current = lease(limit, now);
                if (current == null) {
                    return null;
                }
            }
            current.reserved += amount;
            holds.put(id, new Hold(id, amount, leaseUntil));
            return local(true, limit);
        }

        /** Learns from a direct admission whether a whole slice fits again. */
        synchronized void sawShared(Admission admission) {
            lastShared = admission;
            if (admission.remainingMicros() >= sliceMicros) {
                noSliceFits = false;
            }
        }

        synchronized boolean reconcile(String id, long actual, Instant now) {
            Hold hold = holds.remove(id);
            Slice current = slice;
            if (hold != null && current != null) {
                current.reserved -= hold.amount;
                current.spent = saturatedAdd(current.spent, actual);
                checkpointIfDue(current, now);
                return true;
            }
            if (current != null && current.expired.remove(id) != null) {
                current.spent = saturatedAdd(current.spent, actual);
                checkpointIfDue(current, now);
                return true;
            }
            if (late.remove(id)) {
                recordLateSpend(id, actual, now);
                return true;
            }
            return false;
        }

        synchronized boolean release(String id) {
            Hold hold = holds.remove(id);
            Slice current = slice;
            if (hold != null && current != null) {
                current.reserved -= hold.amount;
                return true;
            }
            return (current != null && current.expired.remove(id) != null) || late.remove(id);
        }

        synchronized void settleDue(Instant now) {
            Slice current = slice;
            if (current != null && !now.isBefore(current.retireAt)) {
                retire(now);
            } else if (current != null) {
                checkpointIfDue(current, now);
            }
        }

        synchronized void retireNow(Instant now) {
            if (slice != null) {
                retire(now);
            }
        }

        private Admission local(boolean admitted, long limit) {
            return new Admission(admitted, lastShared.spentMicros(), lastShared.reservedMicros(), limit);
        }

        private @Nullable Slice lease(long limit, Instant now) {
            String sliceId = nextSliceId();
            Instant until = now.plus(sliceLease);
            Admission admission = shared.reserve(key, sliceId, sliceMicros, limit, now, until);
            lastShared = admission;
            if (!admission.admitted()) {
                noSliceFits = true;
                return null;
            }
            slice = new Slice(sliceId, sliceMicros, limit, until, until.minus(settleMargin), now);
            LOG.debug("leased slice {} of {} micro-USD in {}", sliceId, sliceMicros, key);
            return slice;
        }

        /**
         * Moves the slice's open reservations to the shared store, then reconciles the slice to
         * its spend. In this order the shared store never counts less than is held or spent.
         */
        private void retire(Instant now) {
            Slice current = Objects.requireNonNull(slice);
            deliverRecorded(current, now);
            current.expireHolds(now, holds, late);
            for (Iterator<Hold> it = holds.values().iterator(); it.hasNext(); ) {
                Hold hold = it.next();
                shared.reserve(key, hold.id, hold.amount, Long.MAX_VALUE, now, hold.leaseUntil);
                it.remove();
                current.reserved -= hold.amount;
            }
            shared.reconcile(key, current.id, Math.max(0, current.spent - current.recorded), now);
            for (String id : current.expired.keySet()) {
                if (late.size() >= MAX_LATE_IDS) {
                    late.remove(late.iterator().next());
                }
                late.add(id);
            }
            slice = null;
            LOG.debug("retired slice {} in {}: spent {} micro-USD", current.id, key, current.spent);
        }

        /**
         * Records the slice's spend reported since its last checkpoint in the shared store, when
         * {@code checkpointInterval} has passed since then, so that a holder killed later is still
         * charged for it. Two operations on the shared store: a reservation of the slice's unspent
         * part under a new id (admitted regardless of the limit: the room is the slice's already),
         * then the reconcile of the slice's current reservation to the spend. The shared store counts
         * the same total before and after, and only more in between. A failure leaves the spend to
         * the next checkpoint or the retirement; a reconcile that failed after the new reservation
         * was made is retried first.
         */
        private void checkpointIfDue(Slice current, Instant now) {
            long unrecorded = current.spent - current.recorded;
            if (unrecorded <= 0 || !now.isBefore(current.retireAt) || (!checkpointInterval.isZero()
                    && now.isBefore(current.lastCheckpoint.plus(checkpointInterval)))) {
                return;
            }
            try {
                deliverRecorded(current, now);
                long unspent = Math.max(0, current.held - unrecorded);
                String next = nextSliceId();
                shared.reserve(key, next, unspent, Long.MAX_VALUE, now, current.leaseUntil);
                String previous = current.id;
                long previousHeld = current.held;
                current.id = next;
                current.held = unspent;
                current.recorded = saturatedAdd(current.recorded, unrecorded);
                current.lastCheckpoint = now;
                current.toRecord.add(new Recorded(previous, previousHeld, unrecorded));
                deliverRecorded(current, now);
                LOG.debug("checkpointed {} micro-USD of slice spend in {}", unrecorded, key);
            } catch (RuntimeException e) { // BudgetStoreException, or whatever a third-party store throws
                LOG.debug("checkpointing slice spend in {} failed; will retry: {}", key, e.toString());
            }
        }

        /** Reconciles the earlier reservations of checkpoints; throws when the shared store fails. */
        private void deliverRecorded(Slice current, Instant now) {
            for (Iterator<Recorded> it = current.toRecord.iterator(); it.hasNext(); ) {
                Recorded r = it.next();
                shared.reconcile(key, r.id(), r.spent(), now);
                it.remove();
            }
        }

        /** Records spend of a reservation whose slice already retired, as its own reservation. */
        private void recordLateSpend(String id, long actual, Instant now) {
            String lateId = "late-" + id;
            String boundedId = lateId.length() > Arguments.MAX_RESERVATION_ID
                    ? lateId.substring(0, Arguments.MAX_RESERVATION_ID) : lateId;
            shared.reserve(key, boundedId, 0, Long.MAX_VALUE, now, now.plusSeconds(60));
            shared.reconcile(key, boundedId, actual, now);
        }
    }

    /** A slice's earlier reservation, to be reconciled to the spend checkpointed from it. */
    private record Recorded(String id, long held, long spent) {
    }

    /** A slice leased from the shared store. Guarded by its {@link Local}'s monitor. */
    private static final class Slice {
        /** The shared store's reservation holding the slice's unrecorded part; changes at each checkpoint. */
        String id;
        final long amount;
        final long limit;
        final Instant leaseUntil;
        final Instant retireAt;
        final Map<String, Hold> expired = new HashMap<>();
        /** Checkpoints whose reconcile the shared store has not taken yet. */
        final List<Recorded> toRecord = new ArrayList<>();
        long reserved;
        long spent;
        /** Spend already recorded in the shared store by checkpoints. */
        long recorded;
        /** What {@link #id} holds in the shared store. */
        long held;
        Instant lastCheckpoint;

        Slice(String id, long amount, long limit, Instant leaseUntil, Instant retireAt, Instant leasedAt) {
            this.id = id;
            this.amount = amount;
            this.held = amount;
            this.limit = limit;
            this.leaseUntil = leaseUntil;
            this.retireAt = retireAt;
            this.lastCheckpoint = leasedAt;
        }

        /** Room left; spend beyond a reservation eats into it too. */
        long free() {
            return amount - reserved - spent;
        }

        void expireHolds(Instant now, Map<String, Hold> holds, LinkedHashSet<String> late) {
            List<Hold> ended = new ArrayList<>();
            for (Hold hold : holds.values()) {
                if (!hold.leaseUntil.isAfter(now)) {
                    ended.add(hold);
                }
            }
            for (Hold hold : ended) {
                holds.remove(hold.id);
                reserved -= hold.amount;
                expired.put(hold.id, hold);
            }
        }
    }

    private record Hold(String id, long amount, Instant leaseUntil) {
    }

    private String nextSliceId() {
        return "slice-" + instance + "-" + sliceCounter.incrementAndGet();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** Configures a {@link SlicedBudgetStore}. Not thread-safe; build once. */
    public static final class Builder {

        private final BudgetStore shared;
        private long sliceMicros = 1_000_000;
        private Duration sliceLease = Duration.ofMinutes(2);
        private @Nullable Duration settleMargin;
        private Duration checkpointInterval = Duration.ofSeconds(1);
        private Clock clock = Clock.systemUTC();
        private @Nullable ScheduledExecutorService scheduler;

        private Builder(BudgetStore shared) {
            this.shared = Objects.requireNonNull(shared, "shared");
        }

        /**
         * The size of each slice in micro-USD, and the largest reservation admitted in memory.
         * Also the most one instance can overspend if it dies holding a slice. Default 1,000,000
         * (one US dollar).
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder sliceMicros(long sliceMicros) {
            this.sliceMicros = Checks.requirePositive(sliceMicros, "sliceMicros");
            return this;
        }

        /**
         * The lease of each slice in the shared store: how long a dead instance's slice blocks
         * budget. Default two minutes.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder sliceLease(Duration sliceLease) {
            Checks.requirePositive(sliceLease, "sliceLease");
            this.sliceLease = sliceLease;
            return this;
        }

        /**
         * How long before its lease end a slice retires. Default a quarter of the slice lease.
         *
         * @throws IllegalArgumentException when not positive (or, at build, not shorter than the lease)
         */
        public Builder settleMargin(Duration settleMargin) {
            Checks.requirePositive(settleMargin, "settleMargin");
            this.settleMargin = settleMargin;
            return this;
        }

        /**
         * How often the spend reported inside a slice is recorded in the shared store (a
         * checkpoint: two operations on the shared store), so that an instance killed while it holds
         * a slice is still charged for what its calls reported up to its last checkpoint. A
         * checkpoint is made by the first budget operation on the period (or the
         * {@link #scheduler scheduler}) once the interval has passed since the last one and
         * something was reported. {@link Duration#ZERO} records every report before
         * {@link SlicedBudgetStore#reconcile} returns, at the cost of those two operations per
         * report. Default one second.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder checkpointInterval(Duration checkpointInterval) {
            Objects.requireNonNull(checkpointInterval, "checkpointInterval");
            if (checkpointInterval.isNegative()) {
                throw new IllegalArgumentException("checkpointInterval must be zero or more: " + checkpointInterval);
            }
            this.checkpointInterval = checkpointInterval;
            return this;
        }

        /** The clock for {@link #close()} and scheduled settling. Default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Runs {@link SlicedBudgetStore#settleDue} every half settle margin on this scheduler, so
         * that slices of idle periods retire in time. The host owns and shuts down the scheduler.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Builds the store.
         *
         * @throws IllegalArgumentException when the settle margin is not shorter than the slice lease
         */
        public SlicedBudgetStore build() {
            return new SlicedBudgetStore(this);
        }
    }
}
