/**
 * The health-check SPI: {@link io.opskit.api.health.HealthCheck}, the
 * {@link io.opskit.api.health.HealthResult} it returns, its
 * {@link io.opskit.api.health.HealthStatus} and the {@link io.opskit.api.health.Probe} kinds.
 * Any module or host contributes a check by implementing {@code HealthCheck}; ops-health runs them.
 */
@NullMarked
package io.opskit.api.health;

import org.jspecify.annotations.NullMarked;
