/**
 * Opskit Health: Parallel, deadline-bound health checks, built-in checks and endpoint rendering.
 */
@NullMarked
package io.opskit.health;

import org.jspecify.annotations.NullMarked;
