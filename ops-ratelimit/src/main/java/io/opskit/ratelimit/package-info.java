/**
 * Opskit Rate Limit: AI-provider guard: rate, concurrency and cost budgets shared across instances.
 */
@NullMarked
package io.opskit.ratelimit;

import org.jspecify.annotations.NullMarked;
