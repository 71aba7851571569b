/**
 * Helpers shared by the Opskit modules and by no one else: argument checks, byte sizes, duration
 * text and streams that do not close what they wrap. The package is exported only to the sibling
 * modules (see {@code module-info.java}); on the class path it is visible but not API, and may
 * change in any release.
 */
@NullMarked
package io.opskit.api.internal;

import org.jspecify.annotations.NullMarked;
