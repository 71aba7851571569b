package io.opskit.jobs;

/**
 * What a job does about due runs that nobody ran while every replica was down (or its timer fired
 * late): see {@link JobOptions#missedRunPolicy(MissedRunPolicy)}.
 */
public enum MissedRunPolicy {
    /**
     * Run once at start (or when the late timer fires) for the latest missed due time, however many
     * were missed; across replicas that catch-up run is claimed once like any other.
     */
    RUN_ONCE("run_once"),
    /** Skip the missed runs (publishing {@code job.missed}); the next run is the next due time. */
    SKIP("skip");

    private final String wireName;

    MissedRunPolicy(String wireName) {
        this.wireName = wireName;
    }

    /** @return {@code run_once} or {@code skip} */
    public String wireName() {
        return wireName;
    }
}
