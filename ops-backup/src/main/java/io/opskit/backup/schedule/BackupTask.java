package io.opskit.backup.schedule;

/**
 * The work a {@link ScheduledBackupRunner} runs: typically one backup, with its verification
 * and retention. A method reference to a method returning a value works too; the value is ignored.
 */
@FunctionalInterface
public interface BackupTask {

    /**
     * Runs the backup once, on the runner's executor thread (or the caller's for
     * {@link ScheduledBackupRunner#runNow()}).
     *
     * @throws Exception when the backup failed; the run then counts as failed
     */
    void run() throws Exception;
}
