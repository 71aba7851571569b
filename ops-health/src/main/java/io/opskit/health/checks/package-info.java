/**
 * Built-in checks with the thresholds the operations manuals use: JDBC connectivity and database
 * size ({@link io.opskit.health.checks.JdbcCheck}), HikariCP pool pressure, disk space, heap
 * memory, CPU load, HTTP endpoints, TCP connect, SMTP, TLS certificate expiry, and the
 * maintenance-mode switch. Each is a {@link io.opskit.api.health.HealthCheck}; register it with
 * {@link io.opskit.health.OpsHealth.Builder#register}. Unless a class says otherwise, a threshold's
 * warning level maps to {@code DEGRADED} and its critical level to {@code DOWN}; register resource
 * checks as non-critical when their critical level should only degrade the service.
 */
@NullMarked
package io.opskit.health.checks;

import org.jspecify.annotations.NullMarked;
