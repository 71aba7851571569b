package io.opskit.api.jobs;

import java.time.Instant;
import java.util.List;

/**
 * Where the runs of jobs are recorded so that any replica can answer "when did the backup last
 * succeed, and where". ops-jobs keeps an in-memory history per process; its JDBC job lock also
 * implements this interface on the same database. Only runs that started (or were abandoned) are
 * recorded here; skips stay in each replica's memory.
 *
 * <p>Implementations must be thread-safe and keep at least the last {@code limit} runs per job
 * that callers ask for. They may throw an unchecked exception when their store is unreachable;
 * the scheduler logs it and goes on.
 */
public interface JobHistory {

    /**
     * Inserts a run, or replaces the run with the same {@link JobRun#runId()}.
     *
     * @param run the run; not null
     */
    void record(JobRun run);

    /**
     * The most recent runs of a job, newest first by start time.
     *
     * @param job   the job's name; not null
     * @param limit at most this many; positive
     * @return the runs; possibly empty, never null
     */
    List<JobRun> recent(String job, int limit);

    /**
     * Marks every run of {@code job} still recorded as {@link RunOutcome#RUNNING}, other than
     * {@code currentRunId}, as {@link RunOutcome#ABANDONED} at {@code at}. The scheduler calls it
     * when it acquired a job's lease: since runs of a job never overlap, such runs belong to a
     * replica that died.
     *
     * @param job          the job's name; not null
     * @param currentRunId the run now holding the lease; not null
     * @param at           when it was noticed; not null
     * @return the runs it marked, as marked
     */
    List<JobRun> abandonOthers(String job, String currentRunId, Instant at);
}
