/** The JDK {@code com.sun.net.httpserver} adapter of the request-metrics core. */
@NullMarked
package io.opskit.metrics.httpserver;

import org.jspecify.annotations.NullMarked;
