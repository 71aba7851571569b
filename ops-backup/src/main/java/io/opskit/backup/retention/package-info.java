/**
 * Retention planning: which backups to keep and which to delete, as a pure, dry-runnable plan
 * with a reason for every decision.
 *
 * <p>Start with {@link io.opskit.backup.retention.RetentionPolicy#builder()} (or
 * {@link io.opskit.backup.retention.RetentionPolicy#parse(String)} for CLI-style options such as
 * {@code --keep-within 30d --keep-daily 7}), describe the repository's backups as
 * {@link io.opskit.backup.retention.BackupRecord}s and call
 * {@link io.opskit.backup.retention.RetentionPlan#plan RetentionPlan.plan(policy, records, now, force)}.
 * The plan deletes nothing itself: the caller deletes {@link io.opskit.backup.retention.RetentionPlan#toDelete()}.
 *
 * <p>The semantics are restic's {@code forget} rules restricted to verified backups; see
 * {@link io.opskit.backup.retention.RetentionPlan} for the exact rules and the treatment of
 * unverified backups.
 */
@NullMarked
package io.opskit.backup.retention;

import org.jspecify.annotations.NullMarked;
