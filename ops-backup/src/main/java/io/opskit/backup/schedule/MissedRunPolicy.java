package io.opskit.backup.schedule;

/**
 * What {@link ScheduledBackupRunner#start} does about runs that were due while the host was
 * down. A run counts as missed when a scheduled time lies after the last successful run and at or
 * before the start time.
 */
public enum MissedRunPolicy {
    /**
     * Run once at start when a run was missed (or when there has never been a successful run),
     * however many were missed, then follow the schedule. The default: a host that was down at
     * 02:00 still gets its daily backup the same day.
     */
    RUN_ONCE,
    /** Ignore missed runs; the first run is the next scheduled one after start. */
    SKIP
}
