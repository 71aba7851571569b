/** Implementation details of Opskit Metrics; not exported, may change at any time. */
@NullMarked
package io.opskit.metrics.internal;

import org.jspecify.annotations.NullMarked;
