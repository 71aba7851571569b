/** Opskit DB's front door {@link io.opskit.db.OpsDb}: timed data sources, the storage guard and the module's exceptions. */
@NullMarked
package io.opskit.db;

import org.jspecify.annotations.NullMarked;
