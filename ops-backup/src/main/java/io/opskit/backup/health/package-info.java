/**
 * Backup health: {@link io.opskit.backup.health.BackupFreshnessCheck}, an ops-api
 * {@link io.opskit.api.health.HealthCheck} that is DOWN when the newest verified backup is older
 * than the recovery point objective (RPO). Register it with ops-health like any other check.
 */
@NullMarked
package io.opskit.backup.health;

import org.jspecify.annotations.NullMarked;
