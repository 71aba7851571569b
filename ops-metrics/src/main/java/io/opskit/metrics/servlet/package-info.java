/** The Jakarta Servlet adapter of the request-metrics core (needs {@code jakarta.servlet-api} 6). */
@NullMarked
package io.opskit.metrics.servlet;

import org.jspecify.annotations.NullMarked;
