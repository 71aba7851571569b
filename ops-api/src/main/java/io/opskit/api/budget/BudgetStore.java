package io.opskit.api.budget;

import java.time.Instant;

/**
 * Counts spend against budgets, possibly shared by several processes.
 *
 * <p>The contract that makes a shared budget safe: {@link #reserve} is one atomic conditional
 * write. It records the reservation only if reconciled spend plus unexpired reservations plus the
 * new amount stay at or under the limit, so concurrent callers in any number of processes can
 * never together exceed the limit. A reservation whose holder never reconciles or releases it
 * stops counting at its lease end, so a crashed process does not block the budget for ever.
 *
 * <p>Implementations must be thread-safe. Operations on unknown reservation ids are no-ops, and
 * {@link #reconcile} and {@link #release} are idempotent, so retries are safe.
 */
public interface BudgetStore {

    /**
     * Reserves {@code amountMicros} if it fits under {@code limitMicros}.
     *
     * @param key           the budget and period
     * @param reservationId a unique id chosen by the caller (a UUID), at most 64 characters
     * @param amountMicros  the worst-case amount to hold; zero or more
     * @param limitMicros   the hard limit for the period; zero or more
     * @param now           the caller's current time, used to skip expired reservations
     * @param leaseUntil    when the reservation stops counting if not reconciled or released
     * @return the decision and the budget state
     * @throws BudgetStoreException when the store cannot be reached; the caller must then refuse
     *         (fail closed) or apply its own policy, never assume admission
     */
    Admission reserve(BudgetKey key, String reservationId, long amountMicros, long limitMicros,
                      Instant now, Instant leaseUntil);

    /**
     * Turns a reservation into actual spend. The actual amount may be lower or higher than the
     * reserved one. Spend is recorded even when the lease has expired, since the money was spent.
     *
     * @param actualMicros the real cost of the call; zero or more
     * @throws BudgetStoreException when the store cannot be reached
     */
    void reconcile(BudgetKey key, String reservationId, long actualMicros, Instant now);

    /**
     * Drops a reservation without spend (the call never reached the provider).
     *
     * @throws BudgetStoreException when the store cannot be reached
     */
    void release(BudgetKey key, String reservationId);

    /**
     * Reads the budget's spend and unexpired reservations at {@code now}.
     *
     * @throws BudgetStoreException when the store cannot be reached
     */
    BudgetUsage usage(BudgetKey key, Instant now);
}
