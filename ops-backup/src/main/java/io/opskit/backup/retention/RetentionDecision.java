package io.opskit.backup.retention;

import java.util.List;
import java.util.Objects;

/**
 * The plan's decision about one backup: keep or delete, and why.
 *
 * <p>Immutable and thread-safe.
 *
 * @param record  the backup the decision is about
 * @param action  keep or delete
 * @param reasons human-readable reasons, never empty: for a kept backup every rule that keeps it
 *                (for example {@code "newest verified backup"}, {@code "daily 2026-11-20"},
 *                {@code "within 30d"}); for a deleted one why no rule keeps it
 */
public record RetentionDecision(BackupRecord record, Action action, List<String> reasons) {

    /** What the plan does with a backup. */
    public enum Action {
        /** The backup stays. */
        KEEP,
        /** The backup is to be deleted when the plan is applied. */
        DELETE
    }

    /**
     * Validates the decision and copies the reasons.
     *
     * @throws NullPointerException     when an argument or a reason is null
     * @throws IllegalArgumentException when {@code reasons} is empty
     */
    public RetentionDecision {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(action, "action");
        reasons = List.copyOf(reasons);
        if (reasons.isEmpty()) {
            throw new IllegalArgumentException("reasons must not be empty for backup " + record.id());
        }
    }

    /** Whether the backup is kept. */
    public boolean keep() {
        return action == Action.KEEP;
    }

    /** The reasons joined with {@code ", "}, for one line of a report. */
    public String reasonText() {
        return String.join(", ", reasons);
    }
}
