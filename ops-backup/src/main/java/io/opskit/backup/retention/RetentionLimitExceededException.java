package io.opskit.backup.retention;

import io.opskit.backup.BackupException;
import java.util.Objects;

/**
 * Thrown when a retention plan would delete a larger share of the backups than the policy's
 * {@link RetentionPolicy#maxDeleteFraction()} allows and the caller did not force it.
 *
 * <p>It guards against a misconfigured policy, a wrong clock or a wrong time zone wiping out a
 * repository in one run. To go ahead, review {@link #plan()} (it is the complete plan that was
 * refused) and plan again with {@code force = true}, or raise the policy's limit.
 */
public final class RetentionLimitExceededException extends BackupException {

    private final transient RetentionPlan plan;

    RetentionLimitExceededException(RetentionPlan plan, int allowed) {
        super(message(plan, allowed));
        this.plan = Objects.requireNonNull(plan, "plan");
    }

    private static String message(RetentionPlan plan, int allowed) {
        int total = plan.decisions().size();
        int deleting = plan.toDelete().size();
        return String.format(java.util.Locale.ROOT,
                "retention refused: the plan would delete %d of %d backups (%.0f%%), more than"
                        + " maxDeleteFraction %s allows (at most %d); review the plan and run again"
                        + " with force (--force) to apply it, or allow a larger share with maxDeleteFraction (--max-delete)",
                deleting, total, 100.0 * deleting / total, plan.policy().maxDeleteFraction(), allowed);
    }

    /** The refused plan, complete, so it can be printed for review. Never null. */
    public RetentionPlan plan() {
        return plan;
    }
}
