package io.opskit.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.jobs.JobLock;
import io.opskit.api.jobs.JobRun;
import io.opskit.api.jobs.RunOutcome;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.task.OpsTask;
import io.opskit.api.task.TaskOutcome;
import io.opskit.jobs.internal.InMemoryJobHistory;
import io.opskit.testsupport.ManualScheduler;
import io.opskit.testsupport.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpsJobsTest {

    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private final FakeClock clock = FakeClock.at(T0);
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final List<OpsEvent> events = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private ExecutorService threads;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        if (threads != null) {
            threads.shutdownNow();
        }
    }

    private OpsJobs.Builder builder() {
        return builder(Runnable::run);
    }

    private OpsJobs.Builder builder(java.util.concurrent.Executor executor) {
        return OpsJobs.builder().clock(clock).ticker(() -> clock.instant().toEpochMilli() * 1_000_000L)
                .scheduler(scheduler).executor(executor).replica("replica-a").notifier(events::add)
                .shutdownTimeout(Duration.ofSeconds(5));
    }

    private OpsJobs start(OpsJobs.Builder b) {
        OpsJobs jobs = b.build();
        toClose.add(jobs);
        return jobs;
    }

    private static List<RunOutcome> outcomes(List<JobRun> runs) {
        return runs.stream().map(JobRun::outcome).toList();
    }

    @Test
    void interval_clockAdvancesThreePeriods_runsAtEachDueTime() {
        List<Instant> ranAt = new ArrayList<>();
        OpsJobs jobs = start(builder().job(OpsTask.of("tick", () -> ranAt.add(clock.instant())),
                Schedule.every(Duration.ofMinutes(1))));

        scheduler.advance(Duration.ofMinutes(3));

        assertThat(ranAt).containsExactly(T0.plusSeconds(60), T0.plusSeconds(120), T0.plusSeconds(180));
        assertThat(jobs.job("tick").orElseThrow().nextRun()).contains(T0.plusSeconds(240));
        assertThat(outcomes(jobs.history("tick", 10))).containsOnly(RunOutcome.SUCCESS).hasSize(3);
        assertThat(jobs.history("tick", 10).get(0).replica()).isEqualTo("replica-a");
    }

    @Test
    void cron_dailyAtTwoInBerlin_runsAtTwoLocal() {
        List<Instant> ranAt = new ArrayList<>();
        start(builder().job(OpsTask.of("backup", () -> ranAt.add(clock.instant())),
                Schedule.cron("0 2 * * *", ZoneId.of("Europe/Berlin"))));

        scheduler.advance(Duration.ofDays(2));

        assertThat(ranAt).containsExactly(Instant.parse("2026-11-22T01:00:00Z"), Instant.parse("2026-11-23T01:00:00Z"));
    }

    @Test
    void dst_0230InBerlinOnSpringForwardDay_runsOnceAtThreeCest() {
        clock.set(Instant.parse("2026-03-28T12:00:00Z"));
        List<Instant> ranAt = new ArrayList<>();
        start(builder().job(OpsTask.of("nightly", () -> ranAt.add(clock.instant())),
                Schedule.cron("30 2 * * *", ZoneId.of("Europe/Berlin"))));

        scheduler.advanceTo(Instant.parse("2026-03-30T12:00:00Z"));

        // 2026-03-29 02:30 does not exist in Berlin (02:00 CET -> 03:00 CEST): the run happens at 03:00 CEST.
        assertThat(ranAt).containsExactly(Instant.parse("2026-03-29T01:00:00Z"), Instant.parse("2026-03-30T00:30:00Z"));
    }

    @Test
    void dst_0230InBerlinOnFallBackDay_runsOnceAtFirstOccurrence() {
        clock.set(Instant.parse("2026-10-24T12:00:00Z"));
        List<Instant> ranAt = new ArrayList<>();
        start(builder().job(OpsTask.of("nightly", () -> ranAt.add(clock.instant())),
                Schedule.cron("30 2 * * *", ZoneId.of("Europe/Berlin"))));

        scheduler.advanceTo(Instant.parse("2026-10-26T12:00:00Z"));

        // 2026-10-25 02:30 happens twice (CEST, then CET): one run, at the first (00:30Z), none at 01:30Z.
        assertThat(ranAt).containsExactly(Instant.parse("2026-10-25T00:30:00Z"), Instant.parse("2026-10-26T01:30:00Z"));
    }

    @Test
    void overlap_runStillGoingAtNextDue_nextDueSkippedNotOverlapped() throws Exception {
        threads = Executors.newCachedThreadPool();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        OpsJobs jobs = start(builder(threads).job(OpsTask.of("slow", () -> {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            started.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                concurrent.decrementAndGet();
            }
        }), Schedule.every(Duration.ofMinutes(1)), JobOptions.defaults().withDeadline(Duration.ofMinutes(10))));

        scheduler.advance(Duration.ofMinutes(1));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        scheduler.advance(Duration.ofMinutes(1));
        release.countDown();
        JobRun first = awaitRuns(jobs, "slow", 2).get(1);

        List<JobRun> runs = jobs.localHistory("slow", 10);
        assertThat(maxConcurrent.get()).isEqualTo(1);
        assertThat(first.outcome()).isIn(RunOutcome.SUCCESS, RunOutcome.RUNNING);
        assertThat(runs.stream().filter(r -> r.outcome() == RunOutcome.SKIPPED).findFirst().orElseThrow().summary())
                .startsWith("skipped: previous run ").contains("still running on this replica");
    }

    private static List<JobRun> awaitRuns(OpsJobs jobs, String name, int count) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            List<JobRun> runs = jobs.localHistory(name, 50);
            if (runs.size() >= count && runs.stream().noneMatch(r -> r.outcome() == RunOutcome.RUNNING)) {
                return runs;
            }
            Thread.sleep(5); // polling a real thread's progress, not waiting for time to pass
        }
        throw new AssertionError("runs of " + name + " did not end: " + jobs.localHistory(name, 50));
    }

    @Test
    void hangingTask_cancelledAtDeadline_recordedFailedAndNextRunStillHappens() throws Exception {
        threads = Executors.newCachedThreadPool();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch hanging = new CountDownLatch(1);
        OpsJobs jobs = start(builder(threads).job(OpsTask.of("monitor", context -> {
            if (calls.incrementAndGet() == 1) {
                hanging.countDown();
                try {
                    new CountDownLatch(1).await(); // hangs until interrupted
                } catch (InterruptedException e) {
                    context.checkCancelled();
                }
            }
            return TaskOutcome.done("ok");
        }), Schedule.every(Duration.ofMinutes(5)), JobOptions.defaults().withDeadline(Duration.ofSeconds(30))));

        scheduler.advance(Duration.ofMinutes(5));
        assertThat(hanging.await(30, TimeUnit.SECONDS)).isTrue();
        scheduler.advance(Duration.ofSeconds(30));
        JobRun cancelled = awaitRuns(jobs, "monitor", 1).get(0);
        scheduler.advanceTo(T0.plus(Duration.ofMinutes(10)));
        List<JobRun> runs = awaitRuns(jobs, "monitor", 2);

        assertThat(cancelled.outcome()).isEqualTo(RunOutcome.FAILURE);
        assertThat(cancelled.summary()).isEqualTo("task monitor cancelled: deadline of 30s passed");
        assertThat(cancelled.endedAt()).contains(T0.plus(Duration.ofMinutes(5)).plusSeconds(30));
        assertThat(runs.get(0).outcome()).isEqualTo(RunOutcome.SUCCESS);
        assertThat(runs.get(0).dueAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
        assertThat(events).anyMatch(e -> e.type().equals("job.failed"));
        assertThat(events).anyMatch(e -> e.type().equals("job.recovered"));
    }

    @Test
    void hangingTaskIgnoringInterrupts_recordedFailedAfterGraceAndNextRunStillHappens() throws Exception {
        threads = Executors.newCachedThreadPool();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch unstick = new CountDownLatch(1);
        OpsJobs jobs = start(builder(threads).job(OpsTask.of("stubborn", () -> {
            if (calls.incrementAndGet() == 1) {
                stuck.countDown();
                while (unstick.getCount() > 0) {
                    try {
                        unstick.await();
                    } catch (InterruptedException ignored) {
                        // a task that ignores cancellation
                    }
                }
            }
        }), Schedule.every(Duration.ofMinutes(5)), JobOptions.defaults().withDeadline(Duration.ofSeconds(30))
                .withCancelGrace(Duration.ofSeconds(5))));

        scheduler.advance(Duration.ofMinutes(5));
        assertThat(stuck.await(30, TimeUnit.SECONDS)).isTrue();
        scheduler.advance(Duration.ofSeconds(35));
        JobRun failed = jobs.localHistory("stubborn", 1).get(0);
        scheduler.advanceTo(T0.plus(Duration.ofMinutes(10)));
        List<JobRun> runs = awaitRuns(jobs, "stubborn", 2);
        unstick.countDown();

        assertThat(failed.outcome()).isEqualTo(RunOutcome.FAILURE);
        assertThat(failed.summary()).isEqualTo("cancelled: deadline of 30s passed and the task did not stop within 5s");
        assertThat(runs.get(0).outcome()).isEqualTo(RunOutcome.SUCCESS);
    }

    @Test
    void retry_failsTwiceThenSucceeds_oneSuccessfulRunAfterBackoff() {
        List<Instant> attempts = new ArrayList<>();
        OpsJobs jobs = start(builder().job(OpsTask.of("flaky", context -> {
            attempts.add(clock.instant());
            return attempts.size() < 3 ? TaskOutcome.failed("connection refused") : TaskOutcome.done("ok");
        }), Schedule.every(Duration.ofMinutes(5)), JobOptions.defaults().withRetry(RetryPolicy.exponential(3,
                Duration.ofSeconds(30)))));

        scheduler.advance(Duration.ofMinutes(5).plusSeconds(90));

        Instant due = T0.plus(Duration.ofMinutes(5));
        assertThat(attempts).containsExactly(due, due.plusSeconds(30), due.plusSeconds(90));
        List<JobRun> runs = jobs.history("flaky", 10);
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).outcome()).isEqualTo(RunOutcome.SUCCESS);
        assertThat(runs.get(0).summary()).isEqualTo("ok (attempt 3)");
        assertThat(events).noneMatch(e -> e.type().equals("job.failed"));
    }

    @Test
    void retry_allAttemptsFail_oneFailedRunAndEvent() {
        OpsJobs jobs = start(builder().job(OpsTask.of("broken", c -> TaskOutcome.failed("disk full")),
                Schedule.every(Duration.ofMinutes(5)), JobOptions.defaults().withRetry(RetryPolicy.fixed(2,
                        Duration.ofSeconds(10)))));

        scheduler.advance(Duration.ofMinutes(5).plusSeconds(20));

        assertThat(jobs.history("broken", 10)).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(RunOutcome.FAILURE);
            assertThat(r.summary()).isEqualTo("disk full (attempt 3)");
        });
        assertThat(events).filteredOn(e -> e.type().equals("job.failed")).singleElement()
                .satisfies(e -> assertThat(e.source()).isEqualTo("job:broken"));
    }

    @Test
    void sharedLock_twoReplicas_eachDueRunOnceAndOthersSkipNamingHolder() {
        JobLock lock = JobLocks.inProcess(() -> clock.instant().toEpochMilli() * 1_000_000L);
        InMemoryJobHistory shared = new InMemoryJobHistory(100);
        AtomicInteger runs = new AtomicInteger();
        OpsTask task = OpsTask.of("report", runs::incrementAndGet);
        OpsJobs a = start(builder().lock(lock).history(shared).job(task, Schedule.every(Duration.ofMinutes(1))));
        OpsJobs b = start(OpsJobs.builder().clock(clock).scheduler(scheduler).executor(Runnable::run).replica("replica-b")
                .lock(lock).history(shared).job(task, Schedule.every(Duration.ofMinutes(1))));

        scheduler.advance(Duration.ofMinutes(10));

        assertThat(runs.get()).isEqualTo(10);
        assertThat(a.history("report", 50)).hasSize(10).allMatch(r -> r.outcome() == RunOutcome.SUCCESS);
        List<JobRun> skipsOfB = b.localHistory("report", 50).stream().filter(r -> r.outcome() == RunOutcome.SKIPPED).toList();
        assertThat(skipsOfB).hasSize(10).allMatch(r -> r.summary().equals("skipped: ran on replica replica-a"));
    }

    @Test
    void clockSkew_replica30sAhead_neverRunsADueTimeTwice() {
        JobLock lock = JobLocks.inProcess(() -> clock.instant().toEpochMilli() * 1_000_000L);
        InMemoryJobHistory shared = new InMemoryJobHistory(500);
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        FakeClock ahead = FakeClock.at(T0.plusSeconds(30));
        java.time.Clock skewed = new java.time.Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneId.of("UTC");
            }

            @Override
            public java.time.Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return clock.instant().plusSeconds(30);
            }
        };
        assertThat(ahead.instant()).isEqualTo(skewed.instant());
        OpsTask task = OpsTask.of("sweep", c -> {
            ran.add(c.runId());
            return TaskOutcome.done("ok");
        });
        Schedule everyMinute = Schedule.every(Duration.ofMinutes(1));
        start(builder().lock(lock).history(shared).job(task, everyMinute));
        OpsJobs fast = start(OpsJobs.builder().clock(skewed).scheduler(scheduler).executor(Runnable::run)
                .replica("replica-fast").lock(lock).history(shared).job(task, everyMinute));

        scheduler.advance(Duration.ofMinutes(30));

        List<JobRun> history = fast.history("sweep", 500);
        assertThat(history.stream().map(JobRun::dueAt).distinct()).hasSameSizeAs(history);
        assertThat(ran).hasSize(history.size());
        assertThat(history).hasSizeBetween(30, 31);
    }

    @Test
    void missedRunPolicy_runOnceWithHistoryBehind_runsOnceAtStartForLatestDue() {
        InMemoryJobHistory shared = new InMemoryJobHistory(100);
        shared.record(new JobRun("backup", "r1", "old", T0.minus(Duration.ofDays(3)), T0.minus(Duration.ofDays(3)),
                java.util.Optional.of(T0.minus(Duration.ofDays(3))), RunOutcome.SUCCESS, "ok"));
        AtomicInteger runs = new AtomicInteger();
        start(builder().history(shared).job(OpsTask.of("backup", runs::incrementAndGet),
                Schedule.cron("0 2 * * *", ZoneId.of("UTC")), JobOptions.defaults().missedRunPolicy(MissedRunPolicy.RUN_ONCE)));

        scheduler.runDue();

        assertThat(runs.get()).isEqualTo(1);
        assertThat(shared.recent("backup", 1).get(0).dueAt()).isEqualTo(Instant.parse("2026-11-21T02:00:00Z"));
    }

    @Test
    void missedRunPolicy_skip_publishesMissedAndWaitsForNextDue() {
        InMemoryJobHistory shared = new InMemoryJobHistory(100);
        shared.record(new JobRun("backup", "r1", "old", T0.minus(Duration.ofDays(3)), T0.minus(Duration.ofDays(3)),
                java.util.Optional.of(T0.minus(Duration.ofDays(3))), RunOutcome.SUCCESS, "ok"));
        AtomicInteger runs = new AtomicInteger();
        start(builder().history(shared).job(OpsTask.of("backup", runs::incrementAndGet),
                Schedule.cron("0 2 * * *", ZoneId.of("UTC"))));

        scheduler.runDue();

        assertThat(runs.get()).isZero();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("job.missed");
            assertThat(e.labels()).containsEntry("due_at", "2026-11-21T02:00:00Z");
        });
    }

    @Test
    void metrics_registeredAtZeroThenCounted() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        start(builder().meterRegistry(registry).job(OpsTask.of("tick", () -> clock.advance(Duration.ofMillis(250))),
                Schedule.every(Duration.ofMinutes(1))));

        for (String outcome : List.of("success", "failure", "skipped", "abandoned")) {
            assertThat(registry.get("opskit.job.runs").tag("job", "tick").tag("outcome", outcome).counter().count()).isZero();
        }
        scheduler.advance(Duration.ofMinutes(2));

        assertThat(registry.get("opskit.job.runs").tag("outcome", "success").counter().count()).isEqualTo(2);
        assertThat(registry.get("opskit.job.duration").tag("job", "tick").timer().totalTime(TimeUnit.MILLISECONDS))
                .isEqualTo(500);
        assertThat(registry.get("opskit.job.last.success.timestamp").tag("job", "tick").gauge().value())
                .isEqualTo(T0.plusSeconds(120).toEpochMilli() / 1000.0);
        assertThat(registry.get("opskit.job.running").tag("job", "tick").gauge().value()).isZero();
    }

    @Test
    void health_failuresInARowThenStale_degradedThenDown() throws Exception {
        OpsJobs jobs = start(builder().job(OpsTask.of("backup", c -> TaskOutcome.failed("no space")),
                Schedule.every(Duration.ofHours(1)), JobOptions.defaults().degradedAfterFailures(2)
                        .staleAfter(Duration.ofHours(26))));

        assertThat(jobs.healthCheck("backup").check().status()).isEqualTo(HealthStatus.UP);
        scheduler.advance(Duration.ofHours(1));
        assertThat(jobs.healthCheck("backup").check().status()).isEqualTo(HealthStatus.UP);
        scheduler.advance(Duration.ofHours(1));
        HealthResult degraded = jobs.healthCheck("backup").check();
        scheduler.advance(Duration.ofHours(25));
        HealthResult down = jobs.healthCheck("backup").check();

        assertThat(degraded.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(degraded.message().orElseThrow()).isEqualTo("2 failed runs in a row: no space");
        assertThat(down.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(down.message().orElseThrow()).isEqualTo("no successful run within 1d2h");
    }

    @Test
    void health_dueRunNotStarted_degradedAsMissed() throws Exception {
        threads = Executors.newCachedThreadPool();
        CountDownLatch release = new CountDownLatch(1);
        OpsJobs jobs = start(builder(threads).job(OpsTask.of("sync", () -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), Schedule.every(Duration.ofMinutes(10)), JobOptions.defaults().withDeadline(Duration.ofHours(1))));

        scheduler.advance(Duration.ofMinutes(21));
        HealthResult result = jobs.healthCheck("sync").check();
        release.countDown();

        assertThat(result.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(result.message().orElseThrow()).isEqualTo("the run due at 2026-11-21T10:20:00Z has not started");
    }

    @Test
    void maintenanceWindow_jobConfinedAndNotifierSilenced_runsOnlyInsideAndEventsPublished() {
        List<OpsEvent> pager = new ArrayList<>();
        io.opskit.api.notify.Notifier pagerNotifier = pager::add;
        MaintenanceWindow window = MaintenanceWindow.recurring("nightly", "0 3 * * *", ZoneId.of("UTC"),
                Duration.ofHours(2)).silencing(pagerNotifier);
        List<Instant> ranAt = new ArrayList<>();
        OpsJobs jobs = start(builder().notifier(pagerNotifier).maintenanceWindow(window)
                .job(OpsTask.of("vacuum", () -> ranAt.add(clock.instant())), Schedule.every(Duration.ofHours(1)),
                        JobOptions.defaults().onlyInWindow("nightly"))
                .job(OpsTask.of("failing", c -> TaskOutcome.failed("boom")), Schedule.cron("30 3 * * *", ZoneId.of("UTC"))));
        io.opskit.api.notify.Notifier wrapped = jobs.silenceable(pagerNotifier);

        scheduler.advanceTo(Instant.parse("2026-11-22T04:00:00Z"));
        wrapped.notify(new OpsEvent("health:db", "health.status_changed", io.opskit.api.notify.Severity.WARNING,
                "db down", java.util.Map.of(), clock.instant()));
        assertThat(jobs.openWindows()).extracting(MaintenanceWindow::name).containsExactly("nightly");
        scheduler.advanceTo(Instant.parse("2026-11-22T06:00:00Z"));

        assertThat(ranAt).containsExactly(Instant.parse("2026-11-22T03:00:00Z"), Instant.parse("2026-11-22T04:00:00Z"));
        assertThat(jobs.localHistory("vacuum", 50)).filteredOn(r -> r.outcome() == RunOutcome.SKIPPED)
                .allMatch(r -> r.summary().equals("skipped: outside maintenance window nightly")).hasSize(18);
        assertThat(events).extracting(OpsEvent::type).contains("maintenance.started", "job.failed", "maintenance.ended");
        assertThat(pager).extracting(OpsEvent::type).containsExactly("maintenance.started", "maintenance.ended");
    }

    @Test
    void alertSilence_windowsSilencingRules_silenceNamedRulesOnlyWhileOpen() {
        MaintenanceWindow weekly = MaintenanceWindow.recurring("weekly", "0 3 * * SUN", ZoneId.of("Europe/Berlin"),
                Duration.ofHours(2)).silencingAlerts("DbPoolPressure", "HighLatency");
        MaintenanceWindow upgrade = MaintenanceWindow.between("upgrade", Instant.parse("2026-11-25T20:00:00Z"),
                Instant.parse("2026-11-25T21:00:00Z")).silencingAlerts("HighErrorRate");
        OpsJobs jobs = start(builder().maintenanceWindow(weekly).maintenanceWindow(upgrade));
        io.opskit.api.notify.AlertSilence silence = jobs.alertSilence();
        // Sunday 2026-11-22 03:00 in Berlin is 02:00 UTC.
        Instant inWeekly = Instant.parse("2026-11-22T02:30:00Z");
        Instant afterWeekly = Instant.parse("2026-11-22T04:00:00Z");
        Instant inUpgrade = Instant.parse("2026-11-25T20:59:59Z");

        assertThat(weekly.silencedAlerts()).containsExactlyInAnyOrder("DbPoolPressure", "HighLatency");
        assertThat(silence.silenced("DbPoolPressure", inWeekly)).contains("maintenance window weekly");
        assertThat(silence.silenced("HighLatency", inWeekly)).contains("maintenance window weekly");
        assertThat(silence.silenced("HighErrorRate", inWeekly)).isEmpty();
        assertThat(silence.silenced("DbPoolPressure", afterWeekly)).isEmpty();
        assertThat(silence.silenced("HighErrorRate", inUpgrade)).contains("maintenance window upgrade");
        assertThat(silence.silenced("HighErrorRate", Instant.parse("2026-11-25T21:00:00Z"))).isEmpty();
        assertThat(upgrade.silenced("HighErrorRate", inUpgrade)).contains("maintenance window upgrade");
        assertThatThrownBy(() -> weekly.silencingAlerts(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rule");
    }

    @Test
    void runNow_whileIdle_runsAndReturnsTheRun() throws Exception {
        OpsJobs jobs = start(builder().job(OpsTask.of("report", c -> TaskOutcome.done("42 rows")),
                Schedule.cron("0 4 1 * *", ZoneId.of("UTC"))));

        JobRun run = jobs.runNow("report").get(5, TimeUnit.SECONDS);

        assertThat(run.outcome()).isEqualTo(RunOutcome.SUCCESS);
        assertThat(run.summary()).isEqualTo("42 rows");
        assertThatThrownBy(() -> jobs.runNow("nope")).isInstanceOf(JobException.class)
                .hasMessage("no job named 'nope'; the jobs are [report]");
    }

    @Test
    void close_runInProgress_cancelsItAndRecordsFailure() throws Exception {
        threads = Executors.newCachedThreadPool();
        CountDownLatch started = new CountDownLatch(1);
        OpsJobs jobs = builder(threads).job(OpsTask.of("long", c -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                c.checkCancelled();
            }
            return TaskOutcome.done("never");
        }), Schedule.every(Duration.ofMinutes(1))).build();
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

        jobs.close();
        jobs.close();

        JobRun run = jobs.localHistory("long", 1).get(0);
        assertThat(run.outcome()).isEqualTo(RunOutcome.FAILURE);
        assertThat(run.summary()).isEqualTo("task long cancelled: scheduler closed");
        assertThat(jobs.job("long").orElseThrow().nextRun()).isEmpty();
    }

    @Test
    void builder_badValues_throwNamingFieldAndValue() {
        assertThatThrownBy(() -> OpsJobs.builder().leaseTime(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("leaseTime must be positive: PT0S");
        assertThatThrownBy(() -> OpsJobs.builder().clock(clock).clock(clock))
                .isInstanceOf(IllegalStateException.class).hasMessage("clock was already set");
        assertThatThrownBy(() -> OpsJobs.builder().replica("has space"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replica must be 1 to 200 letters, digits or '.', '_', ':', '@', '-': 'has space'");
        OpsTask t = OpsTask.of("x", () -> { });
        assertThatThrownBy(() -> OpsJobs.builder().job(t, Schedule.every(Duration.ofMinutes(1))).job(t,
                Schedule.every(Duration.ofMinutes(1)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job was already added: 'x'");
        assertThatThrownBy(() -> OpsJobs.builder().job(t, Schedule.every(Duration.ofMinutes(1)),
                JobOptions.defaults().onlyInWindow("nightly")).build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("job 'x' names maintenance window 'nightly', which was not added; add it with"
                        + " maintenanceWindow(...)");
        assertThatThrownBy(() -> JobOptions.defaults().withDeadline(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("deadline must be positive: PT-1S");
        assertThatThrownBy(() -> Schedule.every(Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("interval must be at least 1 second: PT0.01S");
        assertThatThrownBy(() -> Schedule.parse("every soon", ZoneId.of("UTC")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("schedule interval must look like 6h, 30m, 1h30m or PT6H: 'every soon'");
    }
}
