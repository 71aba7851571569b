/**
 * Internals of the AI guard: lock-free limiters, the in-memory budget ledger, calendar periods and
 * metrics. Not exported; subject to change.
 */
@NullMarked
package io.opskit.ratelimit.internal;

import org.jspecify.annotations.NullMarked;
