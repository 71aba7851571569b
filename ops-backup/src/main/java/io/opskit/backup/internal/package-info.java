/** Internals of ops-backup: archive formats, sources, the writer lock. Not exported. */
@NullMarked
package io.opskit.backup.internal;

import org.jspecify.annotations.NullMarked;
