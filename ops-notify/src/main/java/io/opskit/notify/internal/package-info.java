/** Implementation details of Opskit Notify; not exported. */
@NullMarked
package io.opskit.notify.internal;

import org.jspecify.annotations.NullMarked;
