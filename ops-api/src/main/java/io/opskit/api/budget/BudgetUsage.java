package io.opskit.api.budget;

/**
 * A read of one budget period. Amounts are micro-USD.
 *
 * @param key            the budget and period
 * @param spentMicros    reconciled spend
 * @param reservedMicros open, unexpired reservations
 */
public record BudgetUsage(BudgetKey key, long spentMicros, long reservedMicros) {
}
