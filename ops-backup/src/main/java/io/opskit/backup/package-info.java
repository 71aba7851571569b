/**
 * Opskit Backup: Verified, encrypted, crash-safe backups with retention, restore and a CLI.
 */
@NullMarked
package io.opskit.backup;

import org.jspecify.annotations.NullMarked;
