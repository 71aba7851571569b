package io.opskit.api.task;

import io.opskit.api.OpsException;

/**
 * Thrown by {@link TaskContext#checkCancelled()} when a run passed its deadline or was cancelled by
 * its runner. A task lets it propagate (after cleaning up); the runner records the run as failed
 * with the reason.
 */
public final class TaskCancelledException extends OpsException {

    private static final long serialVersionUID = 1L;

    private final String taskName;

    /**
     * @param taskName the task that was cancelled
     * @param reason   why, such as {@code "deadline of 30s passed"}
     */
    public TaskCancelledException(String taskName, String reason) {
        super("task " + taskName + " cancelled: " + reason);
        this.taskName = taskName;
    }

    /** @return the name of the cancelled task */
    public String taskName() {
        return taskName;
    }
}
