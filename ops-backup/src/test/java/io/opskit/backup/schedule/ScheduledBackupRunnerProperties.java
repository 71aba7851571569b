package io.opskit.backup.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The runner under random run durations, intervals and start states, on a fake clock and a
 * manually driven executor: runs never overlap, every due time either runs on time or is counted
 * as skipped, and the missed-run policy decides the one catch-up run.
 */
class ScheduledBackupRunnerProperties {

    private static final Instant START = Instant.parse("2026-11-20T10:07:00Z");

    @Provide
    Arbitrary<List<Integer>> durations() {
        return Arbitraries.integers().between(0, 400).list().ofMinSize(1).ofMaxSize(20);
    }

    @Property(tries = 300)
    void runner_randomDurations_neverOverlapsAndAccountsForEveryDueTime(
            @ForAll @IntRange(min = 10, max = 180) int intervalMinutes,
            @ForAll("durations") List<Integer> runMinutes,
            @ForAll @IntRange(min = 1, max = 48) int horizonHours,
            @ForAll @IntRange(min = -1, max = 600) int lastRunMinutesAgo,
            @ForAll MissedRunPolicy policy) {
        MutableClock clock = new MutableClock(START);
        ManualScheduledExecutor executor = new ManualScheduledExecutor(clock);
        AtomicInteger active = new AtomicInteger();
        AtomicInteger maxActive = new AtomicInteger();
        List<Instant> starts = new ArrayList<>();
        BackupTask task = () -> {
            maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
            starts.add(clock.instant());
            int minutes = runMinutes.get((starts.size() - 1) % runMinutes.size());
            executor.advanceTo(clock.instant().plus(Duration.ofMinutes(minutes)));
            active.decrementAndGet();
        };
        BackupSchedule schedule = BackupSchedule.every(Duration.ofMinutes(intervalMinutes));
        ScheduledBackupRunner runner = ScheduledBackupRunner.builder().schedule(schedule).task(task)
                .executor(executor).clock(clock).missedRunPolicy(policy).build();
        Optional<Instant> lastRun = lastRunMinutesAgo < 0 ? Optional.empty()
                : Optional.of(START.minus(Duration.ofMinutes(lastRunMinutesAgo)));

        runner.start(lastRun);
        executor.advanceTo(START.plus(Duration.ofHours(horizonHours)));

        assertThat(maxActive.get()).isEqualTo(starts.isEmpty() ? 0 : 1);
        boolean missed = lastRun.isEmpty() || !schedule.nextAfter(lastRun.get()).isAfter(START);
        boolean catchUp = policy == MissedRunPolicy.RUN_ONCE && missed;
        List<Instant> dues = new ArrayList<>();
        for (Instant d = schedule.nextAfter(START); !d.isAfter(clock.instant()); d = schedule.nextAfter(d)) {
            dues.add(d);
        }
        List<Instant> scheduledStarts = catchUp ? starts.subList(1, starts.size()) : starts;
        if (catchUp) {
            assertThat(starts).first().isEqualTo(START);
        }
        // Every scheduled run starts exactly at a due time, and every due time ran or was skipped.
        assertThat(dues).containsAll(scheduledStarts);
        assertThat(scheduledStarts.size() + runner.skippedRuns()).isEqualTo(dues.size());
        assertThat(runner.completedRuns()).isEqualTo(starts.size());
        for (int i = 1; i < starts.size(); i++) {
            int previousMinutes = runMinutes.get((i - 1) % runMinutes.size());
            assertThat(starts.get(i)).isAfterOrEqualTo(starts.get(i - 1).plus(Duration.ofMinutes(previousMinutes)));
        }
    }
}
