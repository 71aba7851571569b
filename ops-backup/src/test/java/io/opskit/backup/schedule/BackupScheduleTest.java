package io.opskit.backup.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class BackupScheduleTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void nextAfter_cronInZone_usesZoneWallClock() {
        BackupSchedule daily = BackupSchedule.cron("0 2 * * *", BERLIN);

        assertThat(daily.nextAfter(Instant.parse("2026-11-20T10:00:00Z"))).isEqualTo(Instant.parse("2026-11-21T01:00:00Z"));
        assertThat(daily.toString()).isEqualTo("cron \"0 2 * * *\" in Europe/Berlin");
    }

    @Test
    void nextAfter_interval_alignedToEpochAndStrictlyAfter() {
        BackupSchedule hourly = BackupSchedule.every(Duration.ofHours(1));

        assertThat(hourly.nextAfter(Instant.parse("2026-11-20T10:17:00Z"))).isEqualTo(Instant.parse("2026-11-20T11:00:00Z"));
        assertThat(hourly.nextAfter(Instant.parse("2026-11-20T11:00:00Z"))).isEqualTo(Instant.parse("2026-11-20T12:00:00Z"));
    }

    @Test
    void nextAfter_intervalWithAnchor_countsFromAnchor() {
        BackupSchedule sixHourly = BackupSchedule.every(Duration.ofHours(6), Instant.parse("2026-01-01T02:00:00Z"));

        assertThat(sixHourly.nextAfter(Instant.parse("2026-11-20T10:00:00Z"))).isEqualTo(Instant.parse("2026-11-20T14:00:00Z"));
    }

    @Test
    void every_belowOneSecond_throwsNamingValue() {
        assertThatThrownBy(() -> BackupSchedule.every(Duration.ofMillis(500)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("interval must be at least 1 second: PT0.5S");
    }

    @Test
    void parse_configForms_giveCronOrInterval() {
        assertThat(BackupSchedule.parse("0 2 * * *", BERLIN)).isEqualTo(BackupSchedule.cron("0 2 * * *", BERLIN));
        assertThat(BackupSchedule.parse("every 6h", BERLIN)).isEqualTo(BackupSchedule.every(Duration.ofHours(6)));
        assertThat(BackupSchedule.parse("every 1d12h", BERLIN)).isEqualTo(BackupSchedule.every(Duration.ofHours(36)));
        assertThat(BackupSchedule.parse("Every PT30M", BERLIN)).isEqualTo(BackupSchedule.every(Duration.ofMinutes(30)));
        assertThatThrownBy(() -> BackupSchedule.parse("every often", BERLIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("schedule interval must look like 6h, 30m, 1d12h or PT6H: 'every often'");
    }

    @Test
    void nextRuns_acrossSpringForward_previewsShiftedRun() {
        BackupSchedule schedule = BackupSchedule.cron("30 2 * * *", BERLIN);

        assertThat(schedule.nextRuns(Instant.parse("2026-03-27T12:00:00Z"), 3)).containsExactly(
                Instant.parse("2026-03-28T01:30:00Z"),  // 02:30 CET
                Instant.parse("2026-03-29T01:00:00Z"),  // 02:30 does not exist: 03:00 CEST
                Instant.parse("2026-03-30T00:30:00Z")); // 02:30 CEST
        assertThatThrownBy(() -> schedule.nextRuns(Instant.EPOCH, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("count must be between 0 and 1000: -1");
    }
}
