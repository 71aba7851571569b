package io.opskit.api.health;

/**
 * One health check: the SPI every module and host implements to contribute to the health
 * endpoint. The name, groups, timeout and criticality are given when the check is registered
 * with ops-health, so an implementation only answers "how is it now?".
 *
 * <p>Implementations must be thread-safe: the engine may call {@link #check()} from any thread,
 * though it never runs the same registered check twice at once. An implementation should honour
 * interruption, but need not: the engine enforces timeouts on its own. It may throw; the engine
 * turns an exception or a null result into {@link HealthStatus#DOWN} with the exception's type.
 * Details must never contain a secret (a password, a token, a full connection URL with credentials).
 */
@FunctionalInterface
public interface HealthCheck {

    /**
     * Runs the check once.
     *
     * @return the result; should not be null (a null result is reported as DOWN)
     * @throws Exception when the check cannot be carried out; reported as DOWN
     */
    HealthResult check() throws Exception;
}
