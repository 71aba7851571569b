package io.opskit.backup.tasks;

import io.opskit.api.internal.ByteSize;
import io.opskit.api.internal.Checks;
import io.opskit.api.task.OpsTask;
import io.opskit.api.task.TaskContext;
import io.opskit.api.task.TaskOutcome;
import io.opskit.backup.BackupManifest;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.VerifyLevel;
import io.opskit.backup.retention.RetentionPlan;
import io.opskit.backup.retention.RetentionPolicy;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The work of one {@link BackupRepository} as tasks named {@code backup:NAME},
 * {@code backup-verify:NAME}, {@code backup-drill:NAME} and {@code backup-prune:NAME}. A task's
 * failure (a {@link io.opskit.backup.BackupFailedException}, a failed verification, a refused prune)
 * propagates as an exception, which the scheduler records as a failed run with its message. Each
 * task checks for cancellation before it starts its work; the work itself runs to its end (a backup
 * is committed atomically or not at all).
 *
 * <pre>{@code
 * BackupTasks tasks = BackupTasks.of("app-db", repository);
 * OpsJobs jobs = OpsJobs.builder()
 *         .job(tasks.backup(), Schedule.cron("0 2 * * *", zone))
 *         .job(tasks.restoreDrill(), Schedule.cron("0 4 * * SUN", zone))
 *         .job(tasks.prune(RetentionPolicy.parse("--keep-within 30d")), Schedule.cron("30 2 * * *", zone))
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe; the tasks may run concurrently with each other, the repository's
 * writer lock serializes what must be.
 */
public final class BackupTasks {

    private final String name;
    private final BackupRepository repository;

    private BackupTasks(String name, BackupRepository repository) {
        this.name = name;
        this.repository = repository;
    }

    /**
     * The tasks of a repository.
     *
     * @param name       the name in the tasks' names, such as {@code app-db}; not blank
     * @param repository the repository; not null
     * @return the tasks
     * @throws IllegalArgumentException when {@code name} is blank
     */
    public static BackupTasks of(String name, BackupRepository repository) {
        return new BackupTasks(Checks.requireNonBlank(name, "name"), Objects.requireNonNull(repository, "repository"));
    }

    /**
     * Takes a backup of every source ({@link BackupRepository#backup()}), reporting progress.
     *
     * @return the task {@code backup:NAME}; its summary names the backup and its size
     */
    public OpsTask backup() {
        return task("backup:" + name, context -> {
            BackupManifest made = repository.backup((done, total, rate) ->
                    context.progress(total > 0 ? (double) done / total : 0, ByteSize.format(done) + " read"));
            return new TaskOutcome.Done("backup " + made.id() + " (" + ByteSize.format(made.storedBytes()) + " stored)",
                    Map.of("backup_id", made.id(), "stored_bytes", Long.toString(made.storedBytes())));
        });
    }

    /**
     * Verifies the newest backup at {@code level}; skipped when there is none.
     *
     * @param level how deep; not null
     * @return the task {@code backup-verify:NAME}
     */
    public OpsTask verify(VerifyLevel level) {
        Objects.requireNonNull(level, "level");
        return task("backup-verify:" + name, context -> verifyNewest(level));
    }

    /**
     * The restore drill: restores the newest backup into scratch space and checks it
     * ({@link VerifyLevel#TEST_RESTORE}); skipped when there is no backup.
     *
     * @return the task {@code backup-drill:NAME}
     */
    public OpsTask restoreDrill() {
        return task("backup-drill:" + name, context -> verifyNewest(VerifyLevel.TEST_RESTORE));
    }

    /**
     * Applies a retention policy ({@link BackupRepository#prune}); never deletes the newest verified
     * backup, and fails (deleting nothing) when the plan would delete more than the policy allows.
     *
     * @param policy the policy; not null
     * @return the task {@code backup-prune:NAME}
     */
    public OpsTask prune(RetentionPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        return task("backup-prune:" + name, context -> {
            RetentionPlan plan = repository.prune(policy, false);
            return new TaskOutcome.Done("kept " + plan.toKeep().size() + ", deleted " + plan.toDelete().size(),
                    Map.of("kept", Integer.toString(plan.toKeep().size()),
                            "deleted", Integer.toString(plan.toDelete().size())));
        });
    }

    private TaskOutcome verifyNewest(VerifyLevel level) {
        Optional<BackupManifest> newest = repository.list().stream().max(Comparator.comparing(BackupManifest::createdAt));
        if (newest.isEmpty()) {
            return TaskOutcome.skipped("no backup to verify");
        }
        BackupManifest verified = repository.verify(newest.get().id(), level);
        return new TaskOutcome.Done("backup " + verified.id() + " verified at level " + level.number(),
                Map.of("backup_id", verified.id(), "level", Integer.toString(level.number())));
    }

    @FunctionalInterface
    private interface Body {
        TaskOutcome run(TaskContext context) throws Exception;
    }

    private static OpsTask task(String taskName, Body body) {
        return new OpsTask() {
            @Override
            public String name() {
                return taskName;
            }

            @Override
            public TaskOutcome run(TaskContext context) throws Exception {
                context.checkCancelled();
                return body.run(context);
            }

            @Override
            public String toString() {
                return "OpsTask[" + taskName + "]";
            }
        };
    }

    @Override
    public String toString() {
        return "BackupTasks{" + name + '}';
    }
}
