package io.opskit.backup.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ScheduledBackupRunnerTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Instant START = Instant.parse("2026-11-20T10:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final ManualScheduledExecutor executor = new ManualScheduledExecutor(clock);
    private final List<Instant> runs = new ArrayList<>();

    private ScheduledBackupRunner.Builder runner(BackupSchedule schedule, BackupTask task) {
        return ScheduledBackupRunner.builder().name("test-db").schedule(schedule).task(task).executor(executor).clock(clock);
    }

    private BackupTask recording() {
        return () -> runs.add(clock.instant());
    }

    @Test
    void start_dailyCronInBerlin_runsAtTwoLocalEachDay() {
        ScheduledBackupRunner r = runner(BackupSchedule.cron("0 2 * * *", BERLIN), recording()).build();
        r.start(Optional.of(Instant.parse("2026-11-20T01:00:00Z")));

        executor.advanceTo(Instant.parse("2026-11-23T12:00:00Z"));

        // 02:00 CET is 01:00 UTC.
        assertThat(runs).containsExactly(Instant.parse("2026-11-21T01:00:00Z"), Instant.parse("2026-11-22T01:00:00Z"),
                Instant.parse("2026-11-23T01:00:00Z"));
        assertThat(r.nextRun()).contains(Instant.parse("2026-11-24T01:00:00Z"));
        assertThat(r.lastSuccess()).contains(Instant.parse("2026-11-23T01:00:00Z"));
        assertThat(r.completedRuns()).isEqualTo(3);
    }

    @Test
    void start_runMissedWhileDownWithRunOnce_runsOnceAtStartThenOnSchedule() {
        ScheduledBackupRunner r = runner(BackupSchedule.cron("0 2 * * *", BERLIN), recording())
                .missedRunPolicy(MissedRunPolicy.RUN_ONCE).build();
        // Down for three days: three 02:00 runs missed, one catch-up run.
        r.start(Optional.of(Instant.parse("2026-11-17T01:00:00Z")));

        executor.runDue();
        assertThat(runs).containsExactly(START);

        executor.advanceTo(Instant.parse("2026-11-21T12:00:00Z"));
        assertThat(runs).containsExactly(START, Instant.parse("2026-11-21T01:00:00Z"));
    }

    @Test
    void start_runMissedWhileDownWithSkip_waitsForNextScheduledTime() {
        ScheduledBackupRunner r = runner(BackupSchedule.cron("0 2 * * *", BERLIN), recording())
                .missedRunPolicy(MissedRunPolicy.SKIP).build();
        r.start(Optional.of(Instant.parse("2026-11-17T01:00:00Z")));

        executor.advanceTo(Instant.parse("2026-11-21T00:59:00Z"));
        assertThat(runs).isEmpty();
        executor.advanceTo(Instant.parse("2026-11-21T12:00:00Z"));
        assertThat(runs).containsExactly(Instant.parse("2026-11-21T01:00:00Z"));
    }

    @Test
    void start_lastRunAfterPreviousScheduledTime_doesNotRunAtStart() {
        ScheduledBackupRunner r = runner(BackupSchedule.cron("0 2 * * *", BERLIN), recording()).build();
        // Today's 02:00 run happened (01:00 UTC); nothing was missed.
        r.start(Optional.of(Instant.parse("2026-11-20T01:00:05Z")));

        executor.advanceTo(Instant.parse("2026-11-21T00:00:00Z"));
        assertThat(runs).isEmpty();
    }

    @Test
    void start_noBackupYetWithRunOnce_runsAtOnce() {
        ScheduledBackupRunner r = runner(BackupSchedule.every(Duration.ofHours(6)), recording()).build();
        r.start(Optional.empty());

        executor.runDue();
        assertThat(runs).containsExactly(START);
        assertThat(r.nextRun()).contains(Instant.parse("2026-11-20T12:00:00Z"));
    }

    @Test
    void scheduledRun_dueWhilePreviousRunsOn_isSkippedNotOverlapped() {
        AtomicInteger active = new AtomicInteger();
        AtomicInteger maxActive = new AtomicInteger();
        List<Instant> starts = new ArrayList<>();
        BackupTask slowFirstRun = () -> {
            maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
            starts.add(clock.instant());
            if (starts.size() == 1) {
                // The first run takes 2.5 hours; the 11:00 and 12:00 runs come due meanwhile.
                executor.advanceTo(clock.instant().plus(Duration.ofMinutes(150)));
            }
            active.decrementAndGet();
        };
        ScheduledBackupRunner r = runner(BackupSchedule.every(Duration.ofHours(1)), slowFirstRun).build();
        r.start(Optional.of(Instant.parse("2026-11-20T09:00:00Z")));

        executor.advanceTo(Instant.parse("2026-11-20T13:30:00Z"));

        assertThat(maxActive.get()).isEqualTo(1);
        assertThat(starts).containsExactly(Instant.parse("2026-11-20T10:00:00Z"), Instant.parse("2026-11-20T13:00:00Z"));
        assertThat(r.skippedRuns()).isEqualTo(2);
    }

    @Test
    void scheduledRun_firingLateAfterRunNowOverlappedItsDueTime_isSkipped() throws Exception {
        ScheduledBackupRunner r = runner(BackupSchedule.every(Duration.ofHours(1)), recording()).build();
        r.start(Optional.of(Instant.parse("2026-11-20T10:00:00Z")));
        clock.set(Instant.parse("2026-11-20T10:50:00Z"));

        // A manual run on the caller's thread from 10:50 to 11:20 covers the 11:00 due time; the
        // executor's timer only gets to fire afterwards.
        r.runNow(() -> {
            clock.set(Instant.parse("2026-11-20T11:20:00Z"));
            return "id-1";
        });
        executor.runDue();

        assertThat(runs).isEmpty();
        assertThat(r.skippedRuns()).isEqualTo(1);
        assertThat(r.lastSuccess()).contains(Instant.parse("2026-11-20T10:50:00Z"));
        executor.advanceTo(Instant.parse("2026-11-20T12:00:00Z"));
        assertThat(runs).containsExactly(Instant.parse("2026-11-20T12:00:00Z"));
    }

    @Test
    void runNow_whileRunInProgress_throwsNamingRunner() throws Exception {
        List<Throwable> refused = new ArrayList<>();
        ScheduledBackupRunner[] holder = new ScheduledBackupRunner[1];
        BackupTask task = () -> {
            try {
                holder[0].runNow();
            } catch (BackupRunInProgressException e) {
                refused.add(e);
            }
        };
        holder[0] = runner(BackupSchedule.every(Duration.ofHours(1)), task).build();

        holder[0].runNow();

        assertThat(refused).singleElement().isInstanceOfSatisfying(BackupRunInProgressException.class, e -> {
            assertThat(e.runner()).isEqualTo("test-db");
            assertThat(e.runningSince()).isEqualTo(START);
            assertThat(e).hasMessageContaining("'test-db' is already running");
        });
        assertThat(holder[0].isRunning()).isFalse();
    }

    @Test
    void runNow_withCallable_returnsResultAndRecordsSuccess() throws Exception {
        ScheduledBackupRunner r = runner(BackupSchedule.every(Duration.ofHours(1)), recording()).build();

        String id = r.runNow(() -> "backup-42");

        assertThat(id).isEqualTo("backup-42");
        assertThat(r.lastSuccess()).contains(START);
        assertThat(r.completedRuns()).isEqualTo(1);
    }

    @Test
    void scheduledRun_taskThrows_countsFailureAndScheduleContinues() {
        AtomicInteger calls = new AtomicInteger();
        BackupTask flaky = () -> {
            if (calls.incrementAndGet() <= 2) {
                throw new IOException("disk full");
            }
            runs.add(clock.instant());
        };
        ScheduledBackupRunner r = runner(BackupSchedule.every(Duration.ofHours(1)), flaky).build();
        r.start(Optional.of(Instant.parse("2026-11-20T10:00:00Z")));

        executor.advanceTo(Instant.parse("2026-11-20T13:00:00Z"));

        assertThat(r.failedRuns()).isEqualTo(2);
        assertThat(runs).containsExactly(Instant.parse("2026-11-20T13:00:00Z"));
        assertThat(r.lastSuccess()).contains(Instant.parse("2026-11-20T13:00:00Z"));
    }

    @Test
    void runNow_taskThrows_propagatesAndKeepsLastSuccess() {
        ScheduledBackupRunner r = runner(BackupSchedule.every(Duration.ofHours(1)), () -> {
            throw new IOException("pg_dump exited with code 1");
        }).build();

        assertThatThrownBy(r::runNow).isInstanceOf(IOException.class).hasMessage("pg_dump exited with code 1");
        assertThat(r.lastSuccess()).isEmpty();
        assertThat(r.isRunning()).isFalse();
    }

    @Test
    void close_pendingTimer_noFurtherRuns() {
        ScheduledBackupRunner r = runner(BackupSchedule.every(Duration.ofHours(1)), recording()).build();
        r.start(Optional.of(Instant.parse("2026-11-20T10:00:00Z")));

        r.close();
        executor.advanceTo(Instant.parse("2026-11-20T15:00:00Z"));

        assertThat(runs).isEmpty();
        assertThat(r.nextRun()).isEmpty();
        assertThat(executor.pending()).isZero();
    }

    @Test
    void start_twice_throws() {
        ScheduledBackupRunner r = runner(BackupSchedule.every(Duration.ofHours(1)), recording()).build();
        r.start(Optional.of(START));

        assertThatThrownBy(() -> r.start(Optional.of(START))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'test-db' was already started");
    }

    @Test
    void build_missingPieces_namesField() {
        assertThatThrownBy(() -> ScheduledBackupRunner.builder().task(() -> { }).executor(executor).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("schedule must be set: null");
        assertThatThrownBy(() -> ScheduledBackupRunner.builder().schedule(BackupSchedule.every(Duration.ofHours(1)))
                .executor(executor).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("task must be set: null");
        assertThatThrownBy(() -> ScheduledBackupRunner.builder().name(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("name must not be blank: ' '");
    }

    @Test
    void workerExecutor_runQueuedWhenNextIsDue_skipsNextAndRunsOnWorker() {
        List<Runnable> workerQueue = new ArrayList<>();
        ScheduledBackupRunner r = runner(BackupSchedule.every(Duration.ofHours(1)), recording())
                .worker(workerQueue::add).build();
        r.start(Optional.of(Instant.parse("2026-11-20T10:00:00Z")));

        executor.advanceTo(Instant.parse("2026-11-20T11:00:00Z"));
        assertThat(workerQueue).hasSize(1);
        assertThat(r.isRunning()).isTrue();
        executor.advanceTo(Instant.parse("2026-11-20T12:00:00Z"));

        assertThat(workerQueue).hasSize(1);
        assertThat(r.skippedRuns()).isEqualTo(1);
        workerQueue.remove(0).run();
        assertThat(runs).containsExactly(Instant.parse("2026-11-20T12:00:00Z"));
        assertThat(r.isRunning()).isFalse();
        assertThat(r.lastSuccess()).contains(Instant.parse("2026-11-20T11:00:00Z"));
    }

    @Test
    void listener_hearsStartsSuccessesFailuresAndSkips() throws Exception {
        List<String> events = new ArrayList<>();
        BackupRunListener listener = new BackupRunListener() {
            @Override
            public void runStarted(Instant startedAt) {
                events.add("started " + startedAt);
            }

            @Override
            public void runSucceeded(Instant startedAt, Duration duration) {
                events.add("succeeded " + startedAt + " " + duration);
            }

            @Override
            public void runFailed(Instant startedAt, Duration duration, Exception error) {
                events.add("failed " + startedAt + " " + duration + " " + error.getMessage());
            }

            @Override
            public void runSkipped(Instant dueAt, Instant runningSince) {
                events.add("skipped " + dueAt + " " + runningSince);
            }
        };
        AtomicInteger calls = new AtomicInteger();
        BackupTask task = () -> {
            int call = calls.incrementAndGet();
            if (call == 1) {
                executor.advanceTo(clock.instant().plus(Duration.ofMinutes(70)));
            } else {
                clock.advance(Duration.ofMinutes(5));
                throw new IOException("disk full");
            }
        };
        ScheduledBackupRunner r = runner(BackupSchedule.every(Duration.ofHours(1)), task).listener(listener).build();
        r.start(Optional.of(Instant.parse("2026-11-20T10:00:00Z")));

        executor.advanceTo(Instant.parse("2026-11-20T13:00:00Z"));

        assertThat(events).containsExactly(
                "started 2026-11-20T11:00:00Z",
                "skipped 2026-11-20T12:00:00Z 2026-11-20T11:00:00Z",
                "succeeded 2026-11-20T11:00:00Z PT1H10M",
                "started 2026-11-20T13:00:00Z",
                "failed 2026-11-20T13:00:00Z PT5M disk full");
    }

    @Test
    void listener_throwing_doesNotStopSchedule() {
        BackupRunListener broken = new BackupRunListener() {
            @Override
            public void runStarted(Instant startedAt) {
                throw new IllegalStateException("listener bug");
            }
        };
        ScheduledBackupRunner r = runner(BackupSchedule.every(Duration.ofHours(1)), recording()).listener(broken).build();
        r.start(Optional.of(Instant.parse("2026-11-20T10:00:00Z")));

        executor.advanceTo(Instant.parse("2026-11-20T12:00:00Z"));

        assertThat(runs).containsExactly(Instant.parse("2026-11-20T11:00:00Z"), Instant.parse("2026-11-20T12:00:00Z"));
        assertThat(r.completedRuns()).isEqualTo(2);
    }

    @Test
    void start_missedRunWithDelay_catchUpRunsAfterDelay() {
        ScheduledBackupRunner r = runner(BackupSchedule.cron("0 2 * * *", BERLIN), recording())
                .missedRunDelay(Duration.ofMinutes(2)).build();
        r.start(Optional.empty());

        executor.runDue();
        assertThat(runs).isEmpty();
        executor.advanceTo(START.plus(Duration.ofMinutes(2)));
        assertThat(runs).containsExactly(START.plus(Duration.ofMinutes(2)));
        assertThatThrownBy(() -> ScheduledBackupRunner.builder().missedRunDelay(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("missedRunDelay must not be negative: PT-1S");
    }

    @Test
    void runNow_taskThrowsError_releasesGuard() {
        ScheduledBackupRunner r = runner(BackupSchedule.every(Duration.ofHours(1)), recording()).build();

        assertThatThrownBy(() -> r.runNow(() -> {
            throw new OutOfMemoryError("simulated");
        })).isInstanceOf(OutOfMemoryError.class);

        assertThat(r.isRunning()).isFalse();
        assertThat(r.lastSuccess()).isEmpty();
    }

    @Test
    void awaitIdle_runOnOtherThread_returnsOnlyAfterRunFinishes() throws Exception {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        ScheduledBackupRunner r = runner(BackupSchedule.every(Duration.ofHours(1)), () -> {
            started.countDown();
            release.await();
        }).build();
        Thread backup = new Thread(() -> {
            try {
                r.runNow();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        backup.start();
        started.await();

        assertThat(r.awaitIdle(Duration.ZERO)).isFalse();
        assertThat(r.awaitIdle(Duration.ofMillis(20))).isFalse();
        release.countDown();

        assertThat(r.awaitIdle(Duration.ofSeconds(30))).isTrue();
        backup.join();
        assertThat(r.completedRuns()).isEqualTo(1);
    }

    @Test
    void dailyCronInBerlin_acrossBothDstChanges_runsOncePerDayAtShiftedTimes() {
        clock.set(Instant.parse("2026-03-28T12:00:00Z"));
        ScheduledBackupRunner spring = runner(BackupSchedule.cron("30 2 * * *", BERLIN), recording()).build();
        spring.start(Optional.of(Instant.parse("2026-03-28T01:30:00Z")));
        executor.advanceTo(Instant.parse("2026-03-30T12:00:00Z"));
        spring.close();

        clock.set(Instant.parse("2026-10-24T12:00:00Z"));
        ScheduledBackupRunner autumn = runner(BackupSchedule.cron("30 2 * * *", BERLIN), recording()).build();
        autumn.start(Optional.of(Instant.parse("2026-10-24T00:30:00Z")));
        executor.advanceTo(Instant.parse("2026-10-26T12:00:00Z"));

        assertThat(runs).containsExactly(
                Instant.parse("2026-03-29T01:00:00Z"),   // 02:30 skipped by the jump: 03:00 CEST
                Instant.parse("2026-03-30T00:30:00Z"),   // 02:30 CEST
                Instant.parse("2026-10-25T00:30:00Z"),   // first 02:30 (CEST); the repeated one does not run
                Instant.parse("2026-10-26T01:30:00Z"));  // 02:30 CET
    }
}
