/**
 * The task SPI: one named unit of operations work (a backup, a VACUUM, a retention sweep, a host's
 * own job) that a scheduler such as ops-jobs runs, or that a host runs alone with
 * {@link io.opskit.api.task.TaskContext#standalone}. A task reports a {@link
 * io.opskit.api.task.TaskOutcome}; it watches its {@link io.opskit.api.task.TaskContext} for the
 * deadline and cancellation.
 */
@NullMarked
package io.opskit.api.task;

import org.jspecify.annotations.NullMarked;
