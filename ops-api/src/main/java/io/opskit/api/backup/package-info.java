/**
 * The backup SPIs: a {@link io.opskit.api.backup.BackupSource} yields a consistent snapshot as a
 * stream, a {@link io.opskit.api.backup.BackupStore} keeps named objects with atomic commit, and a
 * {@link io.opskit.api.backup.KeyProvider} supplies encryption keys. ops-backup composes them into
 * its pipeline; an extension jar (an object store, a KMS key provider) depends on this package only.
 */
@NullMarked
package io.opskit.api.backup;

import org.jspecify.annotations.NullMarked;
