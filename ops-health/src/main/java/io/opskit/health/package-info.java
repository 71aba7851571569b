/**
 * Opskit Health: parallel, deadline-bound health checks and their endpoint.
 *
 * <p>Start with {@link io.opskit.health.OpsHealth#builder()}: register named checks (the ops-api
 * {@link io.opskit.api.health.HealthCheck} SPI, or the built-ins in {@code io.opskit.health.checks})
 * with {@link io.opskit.health.CheckOptions}, then ask for a {@link io.opskit.health.HealthReport}
 * or expose it through a {@link io.opskit.health.HealthEndpoint}
 * ({@link io.opskit.health.HealthHttpHandler} for the JDK server,
 * {@code io.opskit.health.servlet.HealthServlet} for Servlet containers), rendered as JSON
 * ({@link io.opskit.health.HealthFormat}) or text ({@link io.opskit.health.HealthTextReport}).
 */
@NullMarked
package io.opskit.health;

import org.jspecify.annotations.NullMarked;
