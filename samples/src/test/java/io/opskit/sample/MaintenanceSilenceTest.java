package io.opskit.sample;

import io.opskit.api.Threshold;
import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.notify.OpsEvent;
import io.opskit.jobs.MaintenanceWindow;
import io.opskit.jobs.OpsJobs;
import io.opskit.metrics.AlertEvaluator;
import io.opskit.metrics.AlertRule;
import io.opskit.metrics.AlertState;
import io.opskit.testsupport.FakeClock;
import io.opskit.testsupport.ManualScheduler;
import io.opskit.testsupport.ReadmeSnippets;
import io.opskit.testsupport.ReadmeSnippets.Param;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * An ops-jobs maintenance window muting an ops-metrics alert rule, the two modules meeting only
 * through ops-api's {@code AlertSilence}, on one fake clock and one manual scheduler.
 */
class MaintenanceSilenceTest {

    @Test
    void maintenanceWindow_silencingAlertRule_firingHeldBackUntilTheWindowEnds() {
        FakeClock clock = FakeClock.at("2026-11-22T02:00:00Z");
        ManualScheduler scheduler = new ManualScheduler(clock);
        List<OpsEvent> pager = new CopyOnWriteArrayList<>();
        AtomicReference<Double> poolUsage = new AtomicReference<>(0.5);
        AtomicReference<Double> errorRatio = new AtomicReference<>(0.0);
        MaintenanceWindow nightly = MaintenanceWindow.recurring("nightly", "0 3 * * *", ZoneId.of("UTC"),
                Duration.ofHours(2)).silencingAlerts("DbPoolPressure");
        try (OpsJobs jobs = OpsJobs.builder().clock(clock).scheduler(scheduler).executor(Runnable::run)
                     .replica("api-1").notifier(pager::add).maintenanceWindow(nightly).build();
             AlertEvaluator alerts = AlertEvaluator.builder().clock(clock).notifier(pager::add)
                     .silence(jobs.alertSilence())
                     .rule(AlertRule.builder("DbPoolPressure").source(poolUsage::get).when(Threshold.above(0.85, 0.85))
                             .forDuration(Duration.ofMinutes(5)).build())
                     .rule(AlertRule.builder("HighErrorRate").source(errorRatio::get).when(Threshold.above(0.05, 0.05))
                             .build())
                     .evaluateEvery(Duration.ofMinutes(1)).scheduler(scheduler)
                     .build()) {

            scheduler.advanceTo(Instant.parse("2026-11-22T03:30:00Z"));
            // The VACUUM the window was for saturates the pool; an unrelated rule also fires.
            poolUsage.set(0.97);
            errorRatio.set(0.2);
            scheduler.advanceTo(Instant.parse("2026-11-22T04:59:00Z"));

            assertThat(alerts.state("DbPoolPressure")).isEqualTo(AlertState.FIRING);
            assertThat(pager).extracting(OpsEvent::type).containsExactly("maintenance.started", "alert.pending",
                    "alert.firing");
            assertThat(pager).filteredOn(e -> e.type().startsWith("alert.")).extracting(OpsEvent::source)
                    .containsOnly("alert:HighErrorRate");

            scheduler.advanceTo(Instant.parse("2026-11-22T05:10:00Z"));
        }

        List<OpsEvent> pool = pager.stream().filter(e -> e.source().equals("alert:DbPoolPressure")).toList();
        assertThat(pool).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("alert.firing");
            assertThat(e.at()).isEqualTo(Instant.parse("2026-11-22T05:00:00Z"));
            assertThat(e.summary()).endsWith("; held back by maintenance window nightly");
        });
        assertThat(pager).extracting(OpsEvent::type).contains("maintenance.ended");
    }

    @Test
    void readmeSnippet_windowSilencingAlerts_compilesAndMutesTheRule() throws Exception {
        List<OpsEvent> pager = new CopyOnWriteArrayList<>();
        AlertRule poolPressure = AlertRule.builder("DbPoolPressure").source(() -> 0.97).when(Threshold.above(0.85, 0.85))
                .build();
        Object built = ReadmeSnippets.forProject().section("## ops-jobs", 1)
                .compile("java.util.List.of(jobs, alerts)",
                        Param.of("io.opskit.api.notify.Notifier", "pager"), Param.of(AlertRule.class, "poolPressure"))
                .run((io.opskit.api.notify.Notifier) pager::add, poolPressure);
        List<?> both = (List<?>) built;
        try (OpsJobs jobs = (OpsJobs) both.get(0); AlertEvaluator alerts = (AlertEvaluator) both.get(1)) {
            Instant at3 = Instant.parse("2026-11-22T03:30:00Z");
            assertThat(jobs.alertSilence().silenced("DbPoolPressure", at3)).contains("maintenance window nightly");
            assertThat(jobs.alertSilence().silenced("HighErrorRate", at3)).isEmpty();
            assertThat(alerts.rules()).extracting(AlertRule::name).containsExactly("DbPoolPressure");
        }
    }
}
