package io.opskit.ratelimit;

/**
 * One cost budget in its current period, as shown to an operator. Amounts are micro-USD.
 *
 * @param scope          what is counted, e.g. {@code "openai/gpt-4o/day"} or
 *                       {@code "openai/gpt-4o/tenant/acme/day"}
 * @param period         the calendar period, e.g. {@code "2026-11-21"} or {@code "2026-11"}
 * @param spentMicros    reconciled spend
 * @param reservedMicros held by calls in flight
 * @param softMicros     the warning level
 * @param hardMicros     the refusal level
 */
public record BudgetStatus(String scope, String period, long spentMicros, long reservedMicros, long softMicros,
                           long hardMicros) {

    /** What is left for new calls: hard limit minus spent minus reserved, never negative. */
    public long remainingMicros() {
        return Math.max(0, hardMicros - spentMicros - reservedMicros);
    }

    /** True once spend reached the soft limit. */
    public boolean softLimitReached() {
        return spentMicros >= softMicros;
    }
}
