/**
 * Opskit Metrics. Start at {@link io.opskit.metrics.OpsMetrics}:
 * <ul>
 *   <li>{@link io.opskit.metrics.RequestMetrics}: the framework-neutral request-metrics core
 *       ({@code http.server.requests} timer, in-flight gauge, bounded routes, slow-request log),
 *       with adapters in {@code io.opskit.metrics.httpserver} and {@code io.opskit.metrics.servlet};</li>
 *   <li>{@link io.opskit.metrics.RequestIds}: request ids in the MDC and across executor hops;</li>
 *   <li>{@link io.opskit.metrics.HikariPoolMetrics} and {@link io.opskit.metrics.CaffeineCacheGauges};</li>
 *   <li>{@link io.opskit.metrics.Slo} and {@link io.opskit.metrics.SloTracker}: error budgets and burn rates;</li>
 *   <li>{@link io.opskit.metrics.AlertRule} and {@link io.opskit.metrics.AlertEvaluator}: threshold alerts;</li>
 *   <li>{@code MetricsExport} (Prometheus rules and a Grafana dashboard): exports.</li>
 * </ul>
 */
@NullMarked
package io.opskit.metrics;

import org.jspecify.annotations.NullMarked;
