package io.opskit.api.budget;

/**
 * The answer of a {@link BudgetStore} to a reservation: whether it was admitted, and the state of
 * the budget as the store saw it when deciding (including the new reservation when admitted).
 * All amounts are micro-USD.
 *
 * @param admitted       true when the reservation was recorded
 * @param spentMicros    reconciled spend in the period
 * @param reservedMicros open, unexpired reservations in the period
 * @param limitMicros    the limit the decision was made against
 */
public record Admission(boolean admitted, long spentMicros, long reservedMicros, long limitMicros) {

    /** What is left for new reservations: limit minus spent minus reserved, never negative. */
    public long remainingMicros() {
        return Math.max(0, limitMicros - spentMicros - reservedMicros);
    }
}
