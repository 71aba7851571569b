package io.opskit.api.jobs;

/** How a run of a job ended, as history and metrics record it. */
public enum RunOutcome {
    /** Still running (or its replica died and nobody has noticed yet). */
    RUNNING("running"),
    /** The task reported done. */
    SUCCESS("success"),
    /** The task failed, threw, was cancelled at its deadline, or the lock store was unreachable. */
    FAILURE("failure"),
    /** Not run here: another replica held or had claimed it, a run was still going, or the task skipped. */
    SKIPPED("skipped"),
    /** Its replica died mid-run; found by the replica that took the next run after the lease expired. */
    ABANDONED("abandoned");

    private final String wireName;

    RunOutcome(String wireName) {
        this.wireName = wireName;
    }

    /**
     * The stable lowercase name used in history tables, metric tags and JSON.
     *
     * @return {@code running}, {@code success}, {@code failure}, {@code skipped} or {@code abandoned}
     */
    public String wireName() {
        return wireName;
    }

    /**
     * The outcome with a wire name.
     *
     * @param wireName a value of {@link #wireName()}
     * @return the outcome
     * @throws IllegalArgumentException naming the value when it is not a wire name
     */
    public static RunOutcome ofWireName(String wireName) {
        for (RunOutcome o : values()) {
            if (o.wireName.equals(wireName)) {
                return o;
            }
        }
        throw new IllegalArgumentException("run outcome must be running, success, failure, skipped or abandoned: '"
                + wireName + "'");
    }
}
