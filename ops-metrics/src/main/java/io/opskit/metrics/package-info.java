/**
 * Opskit Metrics: Request metrics middleware, pool and cache gauges, SLOs with error budgets, alert rules.
 */
@NullMarked
package io.opskit.metrics;

import org.jspecify.annotations.NullMarked;
