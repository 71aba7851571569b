package io.opskit.ratelimit;

import io.opskit.api.Usd;

/**
 * One cost budget line in its current period, as shown to an operator.
 *
 * @param level    where the line sits: {@code "app"}, {@code "provider"}, {@code "model"} or {@code "tenant"}
 * @param scope    what is counted, e.g. {@code "app/day"}, {@code "openai/gpt-4o/day"} or {@code "tenant/acme/month"}
 * @param period   the calendar period, e.g. {@code "2026-11-21"} or {@code "2026-11"}
 * @param spent    reconciled spend
 * @param reserved held by calls in flight
 * @param soft     the warning level
 * @param hard     the refusal level
 */
public record BudgetStatus(String level, String scope, String period, Usd spent, Usd reserved, Usd soft, Usd hard) {

    /** What is left for new calls: hard limit minus spent minus reserved, never negative. */
    public Usd remaining() {
        return Usd.ofMicros(Math.max(0, hard.micros() - spent.micros() - reserved.micros()));
    }

    /** True once spend reached the soft limit. */
    public boolean softLimitReached() {
        return spent.compareTo(soft) >= 0;
    }
}
