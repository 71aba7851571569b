/** Internals of point-in-time recovery: tar extraction, scratch clusters, the segment codec. Not exported. */
@NullMarked
package io.opskit.backup.pitr.internal;

import org.jspecify.annotations.NullMarked;
