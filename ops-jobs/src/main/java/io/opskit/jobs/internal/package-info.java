/** Internals of ops-jobs; not exported. */
@NullMarked
package io.opskit.jobs.internal;

import org.jspecify.annotations.NullMarked;
