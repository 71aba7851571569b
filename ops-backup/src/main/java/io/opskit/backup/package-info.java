/**
 * Opskit Backup: verified, encrypted, crash-safe backups. Start at
 * {@link io.opskit.backup.BackupRepository#builder()} with a store
 * ({@link io.opskit.backup.LocalDirectoryStore}), a key ({@link io.opskit.backup.KeyFile}) and
 * sources ({@link io.opskit.backup.BackupSources}); then {@code backup()}, {@code list()},
 * {@code verify(...)}, {@code restore(...)}; {@link io.opskit.backup.BackupCopy} keeps a second,
 * verified copy in another repository (off-site). The archive, manifest and key-file formats are in
 * FORMAT.md.
 */
@NullMarked
package io.opskit.backup;

import org.jspecify.annotations.NullMarked;
