package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.testsupport.FakeClock;
import io.opskit.testsupport.Promtool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same event stream fed to the in-process {@link SloTracker} and, as counters scraped every
 * 15 s, to the generated rules under {@code promtool test rules}: the two alert timelines agree.
 *
 * <p>Prometheus sees the stream only at its samples, so a window's edge falls up to one scrape
 * interval apart from the tracker's; around each in-process transition one evaluation on either
 * side is left unasserted (the workbook's "± one evaluation"). Everywhere else they must agree
 * exactly, at every minute.
 */
class BurnTimelineComparisonTest {

    private static final int TICK_SECONDS = 15;
    private static final int MINUTES = 300;
    private static final int PER_TICK = 2000;

    @TempDir
    Path dir;

    /** 0.05 % errors for 90 min, 2 % for 90 min, then none. */
    private static int errorsAt(int tick) {
        int minute = tick * TICK_SECONDS / 60;
        if (minute < 90) {
            return 1;
        }
        return minute < 180 ? 40 : 0;
    }

    @Test
    void inProcessAndPromql_sameEventStream_sameAlertTimelines() throws Exception {
        Slo slo = SloBurnRulesPromtoolTest.SLO;
        FakeClock clock = FakeClock.at(Instant.EPOCH);
        SloTracker tracker = SloTracker.builder().clock(clock).slo(slo).build();
        List<BurnRateWindow> windows = tracker.burnWindows();

        int ticks = MINUTES * 60 / TICK_SECONDS;
        double[] ok = new double[ticks + 1];
        double[] bad = new double[ticks + 1];
        boolean[][] firing = new boolean[windows.size()][MINUTES + 1];
        for (int k = 1; k <= ticks; k++) {
            clock.set(Instant.EPOCH.plusSeconds((long) k * TICK_SECONDS));
            int errors = errorsAt(k);
            for (int i = 0; i < PER_TICK; i++) {
                tracker.onRequest("GET", "/api/items", i < errors ? 500 : 200, false, false, 1_000_000);
            }
            ok[k] = ok[k - 1] + PER_TICK - errors;
            bad[k] = bad[k - 1] + errors;
            if (k * TICK_SECONDS % 60 == 0) {
                int minute = k * TICK_SECONDS / 60;
                for (int w = 0; w < windows.size(); w++) {
                    firing[w][minute] = tracker.burning(slo.name(), windows.get(w));
                }
            }
        }

        List<Integer> transitions = new ArrayList<>();
        for (int w = 0; w < windows.size(); w++) {
            for (int m = 2; m <= MINUTES; m++) {
                if (firing[w][m] != firing[w][m - 1]) {
                    transitions.add(m);
                }
            }
        }
        // The page fires during the 2 % step and resolves after it; the ticket fires too.
        assertThat(transitions).hasSizeGreaterThanOrEqualTo(4);

        String job = SloBurnRulesPromtoolTest.JOB;
        Files.writeString(dir.resolve("rules.yml"), SloBurnRulesPromtoolTest.export(job).prometheusRules(),
                StandardCharsets.UTF_8);
        PromtoolSuite suite = new PromtoolSuite(Duration.ofSeconds(TICK_SECONDS)).ruleFile("rules.yml")
                .series(SloBurnRulesPromtoolTest.series(job, 200), ok)
                .series(SloBurnRulesPromtoolTest.series(job, 500), bad);
        int asserted = 0;
        for (int m = 2; m <= MINUTES; m++) {
            int minute = m;
            if (transitions.stream().anyMatch(t -> Math.abs(t - minute) <= 1)) {
                continue;
            }
            List<Map<String, String>> labels = new ArrayList<>();
            List<Map<String, String>> annotations = new ArrayList<>();
            for (int w = 0; w < windows.size(); w++) {
                if (firing[w][m]) {
                    labels.add(LABELS.get(w));
                    annotations.add(ANNOTATIONS.get(w));
                }
            }
            suite.expectAlerts(m, "SloErrorBudgetBurn", labels, annotations);
            asserted++;
        }
        assertThat(asserted).as("minutes compared").isGreaterThan(MINUTES - 3 * transitions.size() - 2);

        Promtool.Result result = suite.run(dir, "timeline.yml");
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    private static final List<Map<String, String>> LABELS = List.of(SloBurnRulesPromtoolTest.PAGE_1H,
            SloBurnRulesPromtoolTest.PAGE_6H, SloBurnRulesPromtoolTest.TICKET_3D);
    private static final List<Map<String, String>> ANNOTATIONS = List.of(SloBurnRulesPromtoolTest.ANN_1H,
            SloBurnRulesPromtoolTest.ANN_6H, SloBurnRulesPromtoolTest.ANN_3D);
}
