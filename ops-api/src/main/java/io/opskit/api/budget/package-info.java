/**
 * The budget-store SPI: where AI cost budgets are counted, so that several instances of a host
 * can share one budget. Amounts are integer micro-USD (1 USD = 1,000,000) so sums are exact.
 * ops-ratelimit ships an in-memory and a JDBC implementation.
 */
@NullMarked
package io.opskit.api.budget;

import org.jspecify.annotations.NullMarked;
