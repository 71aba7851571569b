/** The {@code opskit-db} command line; not exported. */
@NullMarked
package io.opskit.db.cli;

import org.jspecify.annotations.NullMarked;
