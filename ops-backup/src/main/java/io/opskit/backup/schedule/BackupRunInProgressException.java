package io.opskit.backup.schedule;

import java.time.Instant;

/**
 * Thrown by {@link ScheduledBackupRunner#runNow()} when a run of the same runner is still in
 * progress: backups of one runner never overlap. Try again when the current run has finished
 * (an admin endpoint answers 409 Conflict, say).
 */
public final class BackupRunInProgressException extends RuntimeException {

    private final String runner;
    private final Instant runningSince;

    BackupRunInProgressException(String runner, Instant runningSince) {
        super("backup runner '" + runner + "' is already running (since " + runningSince
                + "); runs never overlap, try again when it has finished");
        this.runner = runner;
        this.runningSince = runningSince;
    }

    /** The name of the runner that refused. */
    public String runner() {
        return runner;
    }

    /** When the run in progress started. */
    public Instant runningSince() {
        return runningSince;
    }
}
