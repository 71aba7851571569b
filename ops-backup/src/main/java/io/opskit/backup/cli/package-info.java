/**
 * The {@code opskit-backup} command line ({@code backup}, {@code list}, {@code verify},
 * {@code restore}, {@code prune}), shipped as the separate {@code opskit-backup-cli.jar}. Not
 * exported: it is an application over the public API, not an API.
 */
@NullMarked
package io.opskit.backup.cli;

import org.jspecify.annotations.NullMarked;
