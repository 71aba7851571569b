/** Diagnostics reports, the health checks built from the same queries, and the long-running query guard. */
@NullMarked
package io.opskit.db.diagnostics;

import org.jspecify.annotations.NullMarked;
