/** Engine internals of ops-health: run state per check, rendering, meters, events. Not exported. */
@NullMarked
package io.opskit.health.internal;

import org.jspecify.annotations.NullMarked;
