package io.opskit.backup.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BackupFreshnessCheckTest {

    private static final Instant NOW = Instant.parse("2026-11-21T05:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void check_backupYoungerThanRpo_isUpWithDetails() {
        Instant newest = NOW.minus(Duration.ofMinutes(40));
        HealthResult result = BackupFreshnessCheck.of(() -> Optional.of(newest), Duration.ofHours(1), clock).check();

        assertThat(result.status()).isEqualTo(HealthStatus.UP);
        assertThat(result.details()).containsEntry("newestVerified", "2026-11-21T04:20:00Z")
                .containsEntry("ageSeconds", 2400L).containsEntry("rpoSeconds", 3600L);
        assertThat(result.message().orElseThrow()).isEqualTo("newest verified backup is 40m old (RPO 1h)");
    }

    @Test
    void check_dailyBackupOlderThan26hRpo_isDownNamingAgeAndRpo() {
        Instant newest = NOW.minus(Duration.ofHours(27).plusMinutes(5));
        HealthResult result = BackupFreshnessCheck.of(() -> Optional.of(newest), Duration.ofHours(26), clock).check();

        assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(result.message().orElseThrow()).isEqualTo("newest verified backup is 27h5m old, older than the RPO of 26h");
        assertThat(result.details()).containsEntry("ageSeconds", 27 * 3600L + 300L).containsEntry("rpoSeconds", 26 * 3600L);
    }

    @Test
    void check_exactlyAtRpo_isUp() {
        HealthResult result = BackupFreshnessCheck.of(() -> Optional.of(NOW.minus(Duration.ofHours(1))),
                Duration.ofHours(1), clock).check();

        assertThat(result.status()).isEqualTo(HealthStatus.UP);
    }

    @Test
    void check_noVerifiedBackup_isDownWithClearMessage() {
        HealthResult result = BackupFreshnessCheck.of(Optional::empty, Duration.ofHours(1), clock).check();

        assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(result.message().orElseThrow()).startsWith("no verified backup yet");
        assertThat(result.details()).containsOnlyKeys("rpoSeconds");
    }

    @Test
    void check_clockAdvances_turnsDownWithoutNewBackup() {
        AtomicReference<Instant> now = new AtomicReference<>(NOW);
        Clock moving = new Clock() {
            @Override
            public Instant instant() {
                return now.get();
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        BackupFreshnessCheck check = BackupFreshnessCheck.of(() -> Optional.of(NOW), Duration.ofHours(1), moving);
        assertThat(check.check().status()).isEqualTo(HealthStatus.UP);

        now.set(NOW.plus(Duration.ofMinutes(61)));

        assertThat(check.check().status()).isEqualTo(HealthStatus.DOWN);
    }

    @Test
    void check_backupStampedInFuture_isUpWithZeroAge() {
        HealthResult result = BackupFreshnessCheck.of(() -> Optional.of(NOW.plusSeconds(30)), Duration.ofHours(1), clock)
                .check();

        assertThat(result.status()).isEqualTo(HealthStatus.UP);
        assertThat(result.details()).containsEntry("ageSeconds", 0L);
    }

    @Test
    void of_nonPositiveRpo_throwsNamingValue() {
        assertThatThrownBy(() -> BackupFreshnessCheck.of(Optional::empty, Duration.ZERO, clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("rpo must be positive: PT0S");
    }

    @Test
    void warnAfter_pastWarningBeforeRpo_isDegraded() {
        BackupFreshnessCheck check = BackupFreshnessCheck.of(() -> Optional.of(NOW.minus(Duration.ofHours(25).plusMinutes(30))),
                Duration.ofHours(26), clock).warnAfter(Duration.ofHours(25));

        HealthResult result = check.check();

        assertThat(result.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(result.message().orElseThrow()).isEqualTo("newest verified backup is 25h30m old, nearing the RPO of 26h");
        assertThat(result.details()).containsEntry("warnAfterSeconds", 25 * 3600L);
    }

    @Test
    void warnAfter_notBelowRpo_throwsNamingValue() {
        BackupFreshnessCheck check = BackupFreshnessCheck.of(Optional::empty, Duration.ofHours(1), clock);

        assertThatThrownBy(() -> check.warnAfter(Duration.ofHours(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("warnAfter must be positive and less than the rpo (PT1H): PT2H");
    }
}
