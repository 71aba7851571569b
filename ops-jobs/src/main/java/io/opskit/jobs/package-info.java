/**
 * Opskit Jobs. {@link io.opskit.jobs.OpsJobs#builder()} schedules {@link io.opskit.api.task.OpsTask}s
 * on {@link io.opskit.jobs.Schedule}s (cron in a zone, or fixed intervals) with
 * {@link io.opskit.jobs.JobOptions} (deadline, retries, missed-run policy, health limits); a
 * {@link io.opskit.api.jobs.JobLock} (in process by default, {@link io.opskit.jobs.JdbcJobLock} for
 * several replicas) makes each due run happen once. Runs are recorded in a history, counted in
 * metrics, watched by a health check per job and reported to notifiers.
 * {@link io.opskit.jobs.MaintenanceWindow}s gate jobs and silence notifiers.
 */
@NullMarked
package io.opskit.jobs;

import org.jspecify.annotations.NullMarked;
