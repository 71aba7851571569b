package io.opskit.api.task;

import java.util.Objects;
import java.util.function.Function;

/**
 * A named unit of operations work: a backup, a verification drill, a VACUUM, a retention sweep, or
 * a host's own job. Modules offer their work as tasks; a scheduler (ops-jobs) decides when and on
 * which replica they run, and a host can run one alone with {@link TaskContext#standalone}.
 *
 * <p>A task should check {@link TaskContext#isCancelled()} (or call
 * {@link TaskContext#checkCancelled()}) between steps and stop promptly once its deadline passes.
 * An exception thrown by {@link #run} is recorded as {@link TaskOutcome.Failed}; it never breaks
 * the scheduler. Implementations need not be thread-safe: a runner never runs one task instance
 * twice at once.
 */
public interface OpsTask {

    /**
     * A stable name, used in schedules, history, metric tags and log context, such as
     * {@code "backup:app-db"} or {@code "db.vacuum"}. Must not be blank.
     *
     * @return the task's name
     */
    String name();

    /**
     * Does the work once.
     *
     * @param context the run's deadline, cancellation and progress sink; never null
     * @return what happened; never null
     * @throws Exception on failure; the runner records it as {@link TaskOutcome.Failed}
     */
    TaskOutcome run(TaskContext context) throws Exception;

    /**
     * A task that runs {@code body} and reports {@code Done("ok")} unless it throws.
     *
     * @param name the task's name; not blank
     * @param body the work; not null
     * @return the task
     * @throws IllegalArgumentException when {@code name} is blank
     */
    static OpsTask of(String name, Runnable body) {
        Objects.requireNonNull(body, "body");
        return of(name, context -> {
            body.run();
            return TaskOutcome.done("ok");
        });
    }

    /**
     * A task whose body reports its own outcome.
     *
     * @param name the task's name; not blank
     * @param body the work; not null; must not return null
     * @return the task
     * @throws IllegalArgumentException when {@code name} is blank
     */
    static OpsTask of(String name, Function<TaskContext, TaskOutcome> body) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank: '" + name + "'");
        }
        return new OpsTask() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TaskOutcome run(TaskContext context) {
                return Objects.requireNonNull(body.apply(context), "outcome of task " + name);
            }

            @Override
            public String toString() {
                return "OpsTask[" + name + "]";
            }
        };
    }
}
