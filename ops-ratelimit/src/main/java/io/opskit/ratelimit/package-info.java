/**
 * Opskit Rate Limit: a guard around calls to paid AI providers. Start with
 * {@link io.opskit.ratelimit.AiGuard#builder()}: per model it enforces requests and tokens per
 * minute, concurrent calls and USD budgets per calendar day and month (reserved at the worst case,
 * reconciled to real usage), honours the provider's {@code Retry-After}, retries with backoff,
 * breaks circuits and falls back to cheaper models. Prices come from a
 * {@link io.opskit.ratelimit.PriceTable}; shared budgets from the stores in
 * {@code io.opskit.ratelimit.budget}.
 */
@NullMarked
package io.opskit.ratelimit;

import org.jspecify.annotations.NullMarked;
