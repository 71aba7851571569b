/**
 * Backup schedules: {@link io.opskit.backup.schedule.CronExpression} (five-field cron with a time
 * zone, correct across daylight-saving changes), {@link io.opskit.backup.schedule.BackupSchedule}
 * (cron or fixed interval) and {@link io.opskit.backup.schedule.ScheduledBackupRunner}, which runs
 * a backup on the host's {@link java.util.concurrent.ScheduledExecutorService} and
 * {@link java.time.Clock}, never two at once, with a
 * {@link io.opskit.backup.schedule.MissedRunPolicy} for runs missed while the host was down.
 */
@NullMarked
package io.opskit.backup.schedule;

import org.jspecify.annotations.NullMarked;
