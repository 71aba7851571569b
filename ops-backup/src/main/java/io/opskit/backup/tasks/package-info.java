/**
 * A repository's work offered as {@link io.opskit.api.task.OpsTask}s: backup, verify, restore drill
 * and prune, for ops-jobs (or any scheduler of the task SPI) to run. Start at
 * {@link io.opskit.backup.tasks.BackupTasks}.
 */
@NullMarked
package io.opskit.backup.tasks;

import org.jspecify.annotations.NullMarked;
