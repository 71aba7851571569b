package io.opskit.api.task;

import java.util.Map;
import java.util.Objects;

/**
 * What one run of an {@link OpsTask} came to: {@link Done}, {@link Skipped} or {@link Failed}.
 * Details are small string attributes for history and events (row counts, sizes, ids), never
 * secrets.
 */
public sealed interface TaskOutcome permits TaskOutcome.Done, TaskOutcome.Skipped, TaskOutcome.Failed {

    /**
     * A one-line description of the outcome.
     *
     * @return the summary or reason
     */
    String summary();

    /**
     * The work was done.
     *
     * @param summary one line for a person, such as {@code "archived 12,000 rows"}
     * @param details small attributes; copied
     */
    record Done(String summary, Map<String, String> details) implements TaskOutcome {
        /** Validates and copies. */
        public Done {
            Objects.requireNonNull(summary, "summary");
            details = Map.copyOf(Objects.requireNonNull(details, "details"));
        }
    }

    /**
     * Nothing was done, on purpose: another replica holds the job, there was nothing to do, a
     * precondition did not hold.
     *
     * @param reason one line saying why
     */
    record Skipped(String reason) implements TaskOutcome {
        /** Validates. */
        public Skipped {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String summary() {
            return reason;
        }
    }

    /**
     * The work failed or was cancelled.
     *
     * @param reason  one line saying what went wrong (secrets masked)
     * @param details small attributes; copied
     */
    record Failed(String reason, Map<String, String> details) implements TaskOutcome {
        /** Validates and copies. */
        public Failed {
            Objects.requireNonNull(reason, "reason");
            details = Map.copyOf(Objects.requireNonNull(details, "details"));
        }

        @Override
        public String summary() {
            return reason;
        }
    }

    /**
     * @param summary one line for a person
     * @return a {@link Done} without details
     */
    static TaskOutcome done(String summary) {
        return new Done(summary, Map.of());
    }

    /**
     * @param reason why nothing was done
     * @return a {@link Skipped}
     */
    static TaskOutcome skipped(String reason) {
        return new Skipped(reason);
    }

    /**
     * @param reason what went wrong
     * @return a {@link Failed} without details
     */
    static TaskOutcome failed(String reason) {
        return new Failed(reason, Map.of());
    }
}
