/** Implementation of Opskit DB; not exported. */
@NullMarked
package io.opskit.db.internal;

import org.jspecify.annotations.NullMarked;
