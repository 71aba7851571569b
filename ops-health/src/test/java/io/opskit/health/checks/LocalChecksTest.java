package io.opskit.health.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.opskit.api.Threshold;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalChecksTest {

    @TempDir
    Path dir;

    @Test
    void disk_realFileSystem_reportsFreeSpaceAndPercent() throws Exception {
        HealthResult result = DiskSpaceCheck.of(dir).check();

        assertThat(result.message().orElseThrow()).matches("\\d+\\.\\d ([KMGTP]iB|B) free \\(\\d+ %\\)");
        assertThat((Long) result.details().get("freeBytes")).isPositive();
        assertThat((Long) result.details().get("totalBytes")).isGreaterThanOrEqualTo(
                (Long) result.details().get("freeBytes"));
    }

    @Test
    void disk_thresholdAboveWhatIsFree_down() throws Exception {
        HealthResult result = DiskSpaceCheck.of(dir).withFreePercentThreshold(Threshold.below(101, 100.5)).check();

        assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(result.details()).containsEntry("level", "CRITICAL");
    }

    @Test
    void disk_missingPath_throwsSoTheEngineReportsDown() {
        assertThatThrownBy(() -> DiskSpaceCheck.of(dir.resolve("nope")).check())
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void heap_defaultThreshold_reportsUsage_zeroThresholdIsDown() {
        HealthResult result = HeapMemoryCheck.of().check();
        assertThat(result.message().orElseThrow()).matches("\\d+\\.\\d ([KMGTP]iB|B) used \\(\\d+ %\\)");
        assertThat((Long) result.details().get("usedBytes")).isPositive();

        HealthResult down = HeapMemoryCheck.of().withUsedPercentThreshold(Threshold.above(0, 0)).check();
        assertThat(down.status()).isEqualTo(HealthStatus.DOWN);
        assertThatThrownBy(() -> HeapMemoryCheck.of().withUsedPercentThreshold(Threshold.below(10, 5)))
                .hasMessage("threshold must have direction ABOVE: BELOW");
    }

    @Test
    void cpu_reportsAverageLoad() throws Exception {
        HealthResult result = CpuLoadCheck.of().check();

        if (result.status() != HealthStatus.UNKNOWN) {
            assertThat(result.message().orElseThrow()).endsWith(" average load");
            assertThat((Double) result.details().get("loadPercent")).isBetween(0.0, 100.0);
        }
        assertThat(result.details()).containsKey("cores");
    }

    @Test
    void maintenance_switch_outOfServiceWhileOn() {
        MaintenanceMode mode = MaintenanceMode.off();
        assertThat(mode.check().status()).isEqualTo(HealthStatus.UP);

        assertThat(mode.set(true)).isFalse();
        assertThat(mode.check().status()).isEqualTo(HealthStatus.OUT_OF_SERVICE);
        assertThat(MaintenanceMode.options().groups()).containsExactly("readiness");
    }

    @Test
    void hikari_realPoolOverSqlite_usageCrossingThresholdsAndClosedPool() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:sqlite:" + dir.resolve("pool.db").toAbsolutePath());
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(4);
        HikariDataSource pool = new HikariDataSource(config);
        try {
            HikariPoolCheck check = HikariPoolCheck.of(pool);
            assertThat(check.check().status()).isEqualTo(HealthStatus.UP);

            try (Connection a = pool.getConnection(); Connection b = pool.getConnection();
                 Connection c = pool.getConnection()) {
                HealthResult warning = check.check();
                assertThat(warning.status()).isEqualTo(HealthStatus.DEGRADED);
                assertThat(warning.details()).containsEntry("active", 3).containsEntry("max", 4)
                        .containsEntry("usage", 0.75);
                assertThat(warning.message().orElseThrow()).isEqualTo("3/4 connections in use (75 %), 0 waiting");
                try (Connection d = pool.getConnection()) {
                    assertThat(check.check().status()).isEqualTo(HealthStatus.DOWN);
                }
            }
        } finally {
            pool.close();
        }
        assertThat(HikariPoolCheck.of(pool).check().status()).isEqualTo(HealthStatus.UNKNOWN);
    }

    @Test
    void cpu_firstReadingUnderLoad_isNotTheJdksMeaninglessZero() throws Exception {
        // Like the JDK: the first call has no previous reading and answers 0, later calls measure.
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        CpuLoadCheck.Source busy = new CpuLoadCheck.Source() {
            @Override
            public double cpuLoad() {
                return calls.getAndIncrement() == 0 ? 0.0 : 0.95;
            }

            @Override
            public double processCpuLoad() {
                return 0.5;
            }

            @Override
            public double loadAverage() {
                return 1.9;
            }

            @Override
            public int cores() {
                return 2;
            }
        };

        HealthResult first = CpuLoadCheck.of(busy).check();

        assertThat(first.details()).containsEntry("loadPercent", 95.0);
        assertThat(first.status()).isEqualTo(HealthStatus.DOWN);
    }

    @Test
    void thresholds_warningIsDegraded_criticalIsDown_forEveryBuiltIn() throws Exception {
        io.opskit.api.Threshold warnAtZero = io.opskit.api.Threshold.above(0, 1_000);
        io.opskit.api.Threshold criticalAtZero = io.opskit.api.Threshold.above(-2, -1);
        assertThat(HeapMemoryCheck.of().withUsedPercentThreshold(warnAtZero).check().status())
                .isEqualTo(HealthStatus.DEGRADED);
        assertThat(HeapMemoryCheck.of().withUsedPercentThreshold(criticalAtZero).check().status())
                .isEqualTo(HealthStatus.DOWN);
        Path here = Path.of(".");
        assertThat(DiskSpaceCheck.of(here).withFreePercentThreshold(io.opskit.api.Threshold.below(101, 0))
                .check().status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(DiskSpaceCheck.of(here).withFreePercentThreshold(io.opskit.api.Threshold.below(102, 101))
                .check().status()).isEqualTo(HealthStatus.DOWN);
    }
}
