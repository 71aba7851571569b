/**
 * An S3-compatible {@link io.opskit.api.backup.BackupStore}: {@link io.opskit.backup.s3.S3BackupStore}
 * (start at {@link io.opskit.backup.s3.S3BackupStore#builder()}) and the age-based tiering of its
 * archives ({@link io.opskit.backup.s3.ArchiveTiering}).
 */
@NullMarked
package io.opskit.backup.s3;

import org.jspecify.annotations.NullMarked;
