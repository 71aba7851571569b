/** Maintenance and retention tasks, each an {@link io.opskit.api.task.OpsTask} that a scheduler can run or a host can run alone. */
@NullMarked
package io.opskit.db.tasks;

import org.jspecify.annotations.NullMarked;
