package io.opskit.ratelimit.budget;

import io.opskit.api.budget.Admission;
import io.opskit.api.budget.BudgetKey;
import io.opskit.api.budget.BudgetStore;
import io.opskit.api.budget.BudgetUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link BudgetStore} held in this process's memory: the default when one instance owns its
 * budget. Decisions are exact: a reservation is admitted only if reconciled spend plus open,
 * unexpired reservations plus its amount stay at or under the limit.
 *
 * <p>A reservation counts until its lease ends ({@code now >= leaseUntil}); after that it frees
 * its amount but is remembered for {@link Builder#expiredRetention(Duration)} so that a late
 * {@link #reconcile} still records the money that was spent. Reconcile and release forget the
 * reservation, so repeating them is a no-op.
 *
 * <p>Thread-safe: each budget period is guarded by its own monitor, held only for the few
 * arithmetic steps of one operation (never across the caller's provider call). Periods are kept
 * for the life of the store; one small entry per scope and period.
 */
public final class InMemoryBudgetStore implements BudgetStore {

    private final Duration expiredRetention;
    private final ConcurrentHashMap<BudgetKey, Ledger> ledgers = new ConcurrentHashMap<>();

    private InMemoryBudgetStore(Builder builder) {
        this.expiredRetention = builder.expiredRetention;
    }

    /** A store with default settings (expired reservations remembered for one hour). */
    public static InMemoryBudgetStore create() {
        return builder().build();
    }

    /** Starts configuring a store. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Repeating a reserve with the id of a reservation that is still open admits without
     * counting it twice.
     *
     * @throws IllegalArgumentException when an amount is negative, the id is empty or longer than
     *         64 characters, or {@code leaseUntil} is not after {@code now}
     */
    @Override
    public Admission reserve(BudgetKey key, String reservationId, long amountMicros, long limitMicros,
                             Instant now, Instant leaseUntil) {
        Arguments.checkReserve(key, reservationId, amountMicros, limitMicros, now, leaseUntil);
        return ledger(key).reserve(reservationId, amountMicros, limitMicros, now, leaseUntil);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code actualMicros} is negative
     */
    @Override
    public void reconcile(BudgetKey key, String reservationId, long actualMicros, Instant now) {
        Objects.requireNonNull(key, "key");
        Arguments.checkId(reservationId);
        Arguments.checkMicros("actualMicros", actualMicros);
        Objects.requireNonNull(now, "now");
        Ledger ledger = ledgers.get(key);
        if (ledger != null) {
            ledger.reconcile(reservationId, actualMicros, now);
        }
    }

    /** {@inheritDoc} */
    @Override
    public void release(BudgetKey key, String reservationId) {
        Objects.requireNonNull(key, "key");
        Arguments.checkId(reservationId);
        Ledger ledger = ledgers.get(key);
        if (ledger != null) {
            ledger.release(reservationId);
        }
    }

    /** {@inheritDoc} */
    @Override
    public BudgetUsage usage(BudgetKey key, Instant now) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(now, "now");
        Ledger ledger = ledgers.get(key);
        if (ledger == null) {
            return new BudgetUsage(key, 0, 0);
        }
        return ledger.usage(key, now);
    }

    private Ledger ledger(BudgetKey key) {
        return ledgers.computeIfAbsent(key, k -> new Ledger(expiredRetention));
    }

    @Override
    public String toString() {
        return "InMemoryBudgetStore[periods=" + ledgers.size() + "]";
    }

    /** Configures an {@link InMemoryBudgetStore}. Not thread-safe; build once. */
    public static final class Builder {

        private Duration expiredRetention = Duration.ofHours(1);

        private Builder() {
        }

        /**
         * How long an expired reservation is remembered so that a late reconcile still records
         * its spend. It no longer counts against the budget meanwhile. Default one hour.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder expiredRetention(Duration expiredRetention) {
            Objects.requireNonNull(expiredRetention, "expiredRetention");
            if (expiredRetention.isNegative()) {
                throw new IllegalArgumentException(
                        "expiredRetention must be zero or more: " + expiredRetention);
            }
            this.expiredRetention = expiredRetention;
            return this;
        }

        /** Builds the store. */
        public InMemoryBudgetStore build() {
            return new InMemoryBudgetStore(this);
        }
    }

    /** One budget period: spend, open holds, and holds ordered by lease end for expiry. */
    private static final class Ledger {

        private final Duration expiredRetention;
        private final Map<String, Hold> holds = new HashMap<>();
        private final PriorityQueue<Hold> openByLease =
                new PriorityQueue<>((a, b) -> a.leaseUntil.compareTo(b.leaseUntil));
        /** Expired holds still remembered for a late reconcile, in lease order. */
        private final ArrayDeque<Hold> expiredByLease = new ArrayDeque<>();
        private long spent;
        private long reserved;

        Ledger(Duration expiredRetention) {
            this.expiredRetention = expiredRetention;
        }

        synchronized Admission reserve(String id, long amount, long limit, Instant now, Instant leaseUntil) {
            expire(now);
            Hold existing = holds.get(id);
            if (existing != null) {
                return new Admission(!existing.expired, spent, reserved, limit);
            }
            // Written as a subtraction so that huge amounts cannot overflow into an admission.
            if (amount > limit || spent > limit - amount || reserved > limit - amount - spent) {
                return new Admission(false, spent, reserved, limit);
            }
            Hold hold = new Hold(id, amount, leaseUntil);
            holds.put(id, hold);
            openByLease.add(hold);
            reserved += amount;
            return new Admission(true, spent, reserved, limit);
        }

        synchronized void reconcile(String id, long actual, Instant now) {
            expire(now);
            Hold hold = holds.remove(id);
            if (hold == null) {
                return;
            }
            close(hold);
            spent = saturatedAdd(spent, actual);
        }

        synchronized void release(String id) {
            Hold hold = holds.remove(id);
            if (hold != null) {
                close(hold);
            }
        }

        synchronized BudgetUsage usage(BudgetKey key, Instant now) {
            expire(now);
            return new BudgetUsage(key, spent, reserved);
        }

        private void close(Hold hold) {
            if (!hold.expired) {
                openByLease.remove(hold);
                reserved -= hold.amount;
            }
        }

        private void expire(Instant now) {
            Hold head;
            while ((head = openByLease.peek()) != null && !head.leaseUntil.isAfter(now)) {
                openByLease.poll();
                head.expired = true;
                reserved -= head.amount;
                expiredByLease.addLast(head);
            }
            Instant forgetBefore = now.minus(expiredRetention);
            while ((head = expiredByLease.peekFirst()) != null && head.leaseUntil.isBefore(forgetBefore)) {
                expiredByLease.pollFirst();
                holds.remove(head.id, head);
            }
        }

        private static long saturatedAdd(long a, long b) {
            long sum = a + b;
            return sum < 0 ? Long.MAX_VALUE : sum;
        }
    }

    /** One reservation. */
    private static final class Hold {
        final String id;
        final long amount;
        final Instant leaseUntil;
        boolean expired;

        Hold(String id, long amount, Instant leaseUntil) {
            this.id = id;
            this.amount = amount;
            this.leaseUntil = leaseUntil;
        }
    }
}
