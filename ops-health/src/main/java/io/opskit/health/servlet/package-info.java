/**
 * The Jakarta Servlet adapter of the health endpoint,
 * {@link io.opskit.health.servlet.HealthServlet}. The servlet API is an optional dependency: only
 * hosts that use this package need it.
 */
@NullMarked
package io.opskit.health.servlet;

import org.jspecify.annotations.NullMarked;
