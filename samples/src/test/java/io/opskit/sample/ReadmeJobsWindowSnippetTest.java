package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.Threshold;
import io.opskit.api.notify.Notifier;
import io.opskit.jobs.MaintenanceWindow;
import io.opskit.jobs.OpsJobs;
import io.opskit.metrics.AlertEvaluator;
import io.opskit.metrics.AlertRule;
import io.opskit.testsupport.ReadmeSnippets;
import io.opskit.testsupport.ReadmeSnippets.Param;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's second ops-jobs snippet (a maintenance window muting one ops-metrics alert). It uses
 * two sibling modules, so it is compiled and run here, where every module is on the class path.
 */
class ReadmeJobsWindowSnippetTest {

    @Test
    void readmeSnippet_nightlyWindow_silencesOnlyThePoolAlertWhileOpen() throws Exception {
        Notifier pager = event -> { };
        AlertRule poolPressure = AlertRule.builder("DbPoolPressure").source(() -> 0.5)
                .when(Threshold.above(0.70, 0.85)).forDuration(Duration.ofMinutes(5)).build();

        List<?> built = (List<?>) ReadmeSnippets.forProject().section("## ops-jobs", 1)
                .compile("java.util.List.of(nightly, jobs, alerts)",
                        Param.of(Notifier.class, "pager"), Param.of(AlertRule.class, "poolPressure"))
                .run(pager, poolPressure);
        MaintenanceWindow nightly = (MaintenanceWindow) built.get(0);
        try (OpsJobs jobs = (OpsJobs) built.get(1); AlertEvaluator alerts = (AlertEvaluator) built.get(2)) {
            Instant inWindow = Instant.parse("2026-12-02T03:30:00Z");
            Instant afterWindow = Instant.parse("2026-12-02T05:30:00Z");
            assertThat(nightly.isOpenAt(inWindow)).isTrue();
            assertThat(jobs.alertSilence().silenced("DbPoolPressure", inWindow)).isPresent();
            assertThat(jobs.alertSilence().silenced("HighHeapUsage", inWindow)).isEmpty();
            assertThat(jobs.alertSilence().silenced("DbPoolPressure", afterWindow)).isEmpty();
            assertThat(alerts.rules()).containsExactly(poolPressure);
        }
    }
}
