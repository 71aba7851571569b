/**
 * PostgreSQL point-in-time recovery in an Opskit backup repository: WAL segments archived by
 * {@code archive_command} ({@link io.opskit.backup.pitr.WalArchive#push(java.nio.file.Path)}) and
 * fetched back by {@code restore_command}, base backups taken with {@code pg_basebackup}
 * ({@link io.opskit.backup.pitr.PgBaseBackupSource}), restores to a moment
 * ({@link io.opskit.backup.pitr.PointInTimeRestore}), retention anchored on base backups, a gap
 * check, a health check and metrics. Start at {@link io.opskit.backup.pitr.WalArchive#builder()}.
 *
 * <p>Segments are compressed and encrypted with the same codec and archive format as every other
 * backup (FORMAT.md, "WAL archive").
 */
@NullMarked
package io.opskit.backup.pitr;

import org.jspecify.annotations.NullMarked;
