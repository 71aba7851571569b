package io.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.health.Probe;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpsHealthTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private OpsHealth build(OpsHealth.Builder builder) {
        OpsHealth health = builder.clock(clock).build();
        toClose.add(health);
        return health;
    }

    /** A check that blocks until released and swallows interrupts, like a stuck driver call. */
    private static HealthCheck stubborn(CountDownLatch release, AtomicInteger runs) {
        return () -> {
            runs.incrementAndGet();
            while (true) {
                try {
                    if (release.await(30, TimeUnit.SECONDS)) {
                        return HealthResult.up();
                    }
                } catch (InterruptedException ignored) {
                    // deliberately ignores interruption
                }
            }
        };
    }

    @Test
    void register_duplicateName_rejectedNamingTheCheck() {
        OpsHealth.Builder builder = OpsHealth.builder().register("database", HealthResult::up);
        assertThatThrownBy(() -> builder.register("database", HealthResult::up))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name is already registered: 'database'");
    }

    @Test
    void builder_invalidValues_messagesNameFieldAndValue() {
        OpsHealth.Builder builder = OpsHealth.builder();
        assertThatThrownBy(() -> builder.deadline(Duration.ZERO)).hasMessage("deadline must be positive: PT0S");
        assertThatThrownBy(() -> builder.defaultTimeout(Duration.ofMillis(-1)))
                .hasMessage("defaultTimeout must be positive: PT-0.001S");
        assertThatThrownBy(() -> builder.timeoutStatus(HealthStatus.OUT_OF_SERVICE))
                .hasMessage("timeoutStatus must be DOWN or UNKNOWN: OUT_OF_SERVICE");
        assertThatThrownBy(() -> builder.parallelism(0)).hasMessage("parallelism must be between 1 and 1024: 0");
        assertThatThrownBy(() -> builder.register("bad name", HealthResult::up))
                .hasMessageContaining("'bad name'");
        assertThatThrownBy(() -> CheckOptions.defaults().withTimeout(Duration.ZERO))
                .hasMessage("timeout must be positive: PT0S");
        assertThatThrownBy(() -> CheckOptions.defaults().cacheFor(Duration.ofSeconds(-1)))
                .hasMessage("cacheTtl must not be negative: PT-1S");
        assertThatThrownBy(() -> CheckOptions.defaults().inBackground(Duration.ofMinutes(5), -1, Duration.ofMinutes(15)))
                .hasMessage("retries must be between 0 and 10: -1");
        assertThatThrownBy(() -> CheckOptions.defaults().inBackground(Duration.ofMinutes(5), 3, Duration.ofMinutes(1)))
                .hasMessage("maxStaleness must be at least the interval PT5M: PT1M");
        assertThatThrownBy(() -> CheckOptions.defaults().inGroups("Ready!"))
                .hasMessageContaining("'Ready!'");
    }

    @Test
    void check_startsTheRunThatTookLongestFirst_reportKeepsRegistrationOrder() throws Exception {
        LinkedBlockingQueue<Runnable> handedOver = new LinkedBlockingQueue<>();
        List<String> started = new CopyOnWriteArrayList<>();
        OpsHealth health = build(OpsHealth.builder()
                .executor(handedOver::add) // the test runs the runs, in the order the engine handed them over
                .register("quick", () -> {
                    started.add("quick");
                    return HealthResult.up();
                })
                .register("slow", () -> {
                    started.add("slow");
                    Thread.sleep(20); // what this check costs; the engine times runs by System.nanoTime
                    return HealthResult.up();
                }));
        ExecutorService prober = Executors.newSingleThreadExecutor();
        try {
            for (int probe = 0; probe < 2; probe++) {
                Future<HealthReport> report = prober.submit(() -> health.check());
                for (int run = 0; run < 2; run++) {
                    Runnable next = handedOver.poll(10, TimeUnit.SECONDS);
                    assertThat(next).as("run %d of probe %d handed to the executor", run, probe).isNotNull();
                    next.run();
                }
                assertThat(report.get(10, TimeUnit.SECONDS).checks()).extracting(CheckResult::name)
                        .containsExactly("quick", "slow");
            }
        } finally {
            prober.shutdownNow();
        }
        // First probe: no history, registration order. Second: the check whose last run took
        // longest starts first, so the request is not kept waiting behind the others' hand-offs.
        assertThat(started).containsExactly("quick", "slow", "slow", "quick");
    }

    @Test
    void check_hungCheckIgnoringInterruption_answersByItsTimeoutAndIsNotStartedAgain() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        OpsHealth health = build(OpsHealth.builder()
                .register("stuck", stubborn(release, runs), CheckOptions.defaults().withTimeout(Duration.ofMillis(100)))
                .register("fine", HealthResult::up)
                .deadline(Duration.ofSeconds(10)));
        try {
            long start = System.nanoTime();
            HealthReport first = health.check(Probe.READINESS);
            long firstMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(first.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(first.httpStatus()).isEqualTo(503);
            CheckResult stuck = first.check("stuck").orElseThrow();
            assertThat(stuck.timedOut()).isTrue();
            assertThat(stuck.message().orElseThrow()).isEqualTo("timed out after 100 ms");
            assertThat(first.check("fine").orElseThrow().status()).isEqualTo(HealthStatus.UP);
            assertThat(firstMillis).isLessThan(5_000);

            HealthReport second = health.check(Probe.READINESS);
            assertThat(second.check("stuck").orElseThrow().timedOut()).isTrue();
            assertThat(runs).hasValue(1);
        } finally {
            release.countDown();
        }
    }

    @Test
    void check_deadlineShorterThanTimeout_returnsByTheDeadline() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        OpsHealth health = build(OpsHealth.builder()
                .register("stuck", stubborn(release, new AtomicInteger()),
                        CheckOptions.defaults().withTimeout(Duration.ofSeconds(30)))
                .deadline(Duration.ofMillis(150)));
        try {
            long start = System.nanoTime();
            HealthReport report = health.check();
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(millis).isBetween(100L, 5_000L);
            CheckResult stuck = report.check("stuck").orElseThrow();
            assertThat(stuck.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(stuck.timedOut()).isTrue();
            assertThat(stuck.message().orElseThrow()).isEqualTo("did not finish within the request deadline of 150 ms");
        } finally {
            release.countDown();
        }
    }

    @Test
    void check_timeoutStatusUnknown_reportsUnknown() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        OpsHealth health = build(OpsHealth.builder()
                .register("slow", stubborn(release, new AtomicInteger()),
                        CheckOptions.defaults().withTimeout(Duration.ofMillis(50)))
                .timeoutStatus(HealthStatus.UNKNOWN));
        try {
            HealthReport report = health.check();
            assertThat(report.check("slow").orElseThrow().status()).isEqualTo(HealthStatus.UNKNOWN);
            assertThat(report.status()).isEqualTo(HealthStatus.UNKNOWN);
        } finally {
            release.countDown();
        }
    }

    @Test
    void check_throwingCheck_isDownWithTypeAndNoSecret() {
        OpsHealth health = build(OpsHealth.builder().register("db", () -> {
            throw new IllegalStateException("cannot reach postgres://app:hunter2@db.internal/app\nsecond line");
        }));

        CheckResult db = health.check().check("db").orElseThrow();

        assertThat(db.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(db.message().orElseThrow()).startsWith("IllegalStateException: cannot reach postgres://app:")
                .doesNotContain("hunter2").doesNotContain("second line");
        assertThat(db.details()).containsEntry("error", "java.lang.IllegalStateException");
    }

    @Test
    void check_nullReturningCheck_isDown() {
        OpsHealth health = build(OpsHealth.builder().register("nothing", () -> null));

        CheckResult result = health.check().check("nothing").orElseThrow();

        assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(result.message().orElseThrow()).isEqualTo("the check returned no result (null)");
    }

    @Test
    void check_nonCriticalFailure_degradesWith200_criticalFailure_downWith503() {
        AtomicReference<HealthStatus> dbStatus = new AtomicReference<>(HealthStatus.UP);
        OpsHealth health = build(OpsHealth.builder()
                .register("db", () -> HealthResult.of(dbStatus.get(), null))
                .register("mail", () -> HealthResult.down("SMTP refused"), CheckOptions.defaults().critical(false)));

        HealthReport degraded = health.check(Probe.READINESS);
        assertThat(degraded.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(degraded.httpStatus()).isEqualTo(200);
        assertThat(degraded.check("mail").orElseThrow().status()).isEqualTo(HealthStatus.DOWN);

        dbStatus.set(HealthStatus.DOWN);
        HealthReport down = health.check(Probe.READINESS);
        assertThat(down.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(down.httpStatus()).isEqualTo(503);
    }

    @Test
    void check_groups_runOnlyTheirMembers_unknownGroupRefused() {
        AtomicInteger readinessRuns = new AtomicInteger();
        OpsHealth health = build(OpsHealth.builder()
                .register("ping", HealthResult::up, CheckOptions.defaults().inGroups(Probe.LIVENESS))
                .register("db", () -> {
                    readinessRuns.incrementAndGet();
                    return HealthResult.up();
                }, CheckOptions.defaults().inGroups("readiness", "data")));

        HealthReport live = health.check(Probe.LIVENESS);
        assertThat(live.checks()).extracting(CheckResult::name).containsExactly("ping");
        assertThat(readinessRuns).hasValue(0);
        assertThat(health.check("data").checks()).extracting(CheckResult::name).containsExactly("db");
        assertThat(health.check(Probe.STARTUP).status()).isEqualTo(HealthStatus.UP);
        assertThat(health.check().checks()).hasSize(2);
        assertThat(health.groups()).containsExactly("liveness", "readiness", "startup", "data");
        assertThatThrownBy(() -> health.check("nope"))
                .isInstanceOf(UnknownHealthGroupException.class)
                .hasMessageContaining("no health check is registered in group 'nope'");
    }

    @Test
    void check_100ConcurrentRequests_runEachCheckExactlyOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger[] runs = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        OpsHealth.Builder builder = OpsHealth.builder().deadline(Duration.ofSeconds(30))
                .defaultTimeout(Duration.ofSeconds(30));
        for (int i = 0; i < runs.length; i++) {
            AtomicInteger counter = runs[i];
            builder.register("check-" + i, () -> {
                counter.incrementAndGet();
                release.await();
                return HealthResult.up();
            });
        }
        OpsHealth health = build(builder);
        ExecutorService requests = Executors.newFixedThreadPool(100);
        List<Thread> requestThreads = new CopyOnWriteArrayList<>();
        try {
            List<Future<HealthReport>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                answers.add(requests.submit(() -> {
                    requestThreads.add(Thread.currentThread());
                    return health.check();
                }));
            }
            Await.until("all 100 requests wait for the shared runs", () -> requestThreads.size() == 100
                    && requestThreads.stream().allMatch(t -> t.getState() == Thread.State.TIMED_WAITING
                    || t.getState() == Thread.State.WAITING));
            release.countDown();
            for (Future<HealthReport> answer : answers) {
                assertThat(answer.get(30, TimeUnit.SECONDS).status()).isEqualTo(HealthStatus.UP);
            }
        } finally {
            release.countDown();
            requests.shutdownNow();
        }
        for (AtomicInteger counter : runs) {
            assertThat(counter).hasValue(1);
        }
    }

    @Test
    void check_cachedCheck_reusesResultUntilTtlPasses() {
        AtomicInteger runs = new AtomicInteger();
        OpsHealth health = build(OpsHealth.builder().register("cached", () -> {
            runs.incrementAndGet();
            return HealthResult.up();
        }, CheckOptions.defaults().cacheFor(Duration.ofSeconds(10))));

        health.check();
        clock.advance(Duration.ofSeconds(9));
        health.check();
        assertThat(runs).hasValue(1);

        clock.advance(Duration.ofSeconds(2));
        health.check();
        assertThat(runs).hasValue(2);
    }

    @Test
    void check_backgroundResultOlderThanMaxStaleness_turnsDown() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        OpsHealth health = build(OpsHealth.builder().register("monitor", () -> {
            runs.incrementAndGet();
            return HealthResult.up();
        }, CheckOptions.defaults().inBackground(Duration.ofMinutes(5), 3, Duration.ofMinutes(15))));
        Await.until("the first background run is stored",
                () -> health.check().check("monitor").orElseThrow().status() == HealthStatus.UP);

        clock.advance(Duration.ofMinutes(15));
        assertThat(health.check().status()).isEqualTo(HealthStatus.UP);

        clock.advance(Duration.ofSeconds(1));
        HealthReport report = health.check();
        CheckResult monitor = report.check("monitor").orElseThrow();
        assertThat(monitor.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(monitor.stale()).isTrue();
        assertThat(monitor.message().orElseThrow()).contains("older than the maximum staleness of 900 s").contains("it was UP");
        assertThat(report.httpStatus()).isEqualTo(503);
        assertThat(runs).hasValue(1);
    }

    @Test
    void check_backgroundBeforeFirstRun_isUnknown() {
        CountDownLatch release = new CountDownLatch(1);
        OpsHealth health = build(OpsHealth.builder().register("later", () -> {
            release.await();
            return HealthResult.up();
        }, CheckOptions.defaults().inBackground(Duration.ofMinutes(5), 0, Duration.ofMinutes(10))));
        try {
            CheckResult later = health.check().check("later").orElseThrow();
            assertThat(later.status()).isEqualTo(HealthStatus.UNKNOWN);
            assertThat(later.message().orElseThrow()).startsWith("no result yet");
        } finally {
            release.countDown();
        }
    }

    @Test
    void background_failingTwiceWithThreeRetries_storesTheSuccess() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        List<OpsEvent> events = new CopyOnWriteArrayList<>();
        OpsHealth health = build(OpsHealth.builder().notifier(events::add).register("flaky", () ->
                runs.incrementAndGet() <= 2 ? HealthResult.down("not yet") : HealthResult.up(),
                CheckOptions.defaults().inBackground(Duration.ofMinutes(5), 3, Duration.ofMinutes(15))));

        Await.until("the retried run is stored",
                () -> health.check().check("flaky").orElseThrow().status() == HealthStatus.UP);

        assertThat(runs).hasValue(3);
        assertThat(events).isEmpty();
    }

    @Test
    void background_failingMoreThanRetries_storesDown() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        OpsHealth health = build(OpsHealth.builder().register("broken", () -> {
            runs.incrementAndGet();
            return HealthResult.down("broken");
        }, CheckOptions.defaults().inBackground(Duration.ofMinutes(5), 1, Duration.ofMinutes(15))));

        Await.until("the retry has run", () -> runs.get() == 2);
        Await.until("the failed run is stored",
                () -> health.check().check("broken").orElseThrow().status() == HealthStatus.DOWN);

        assertThat(runs).hasValue(2);
    }

    @Test
    void notifier_getsOneEventPerTransitionNotPerRun() {
        AtomicReference<HealthStatus> status = new AtomicReference<>(HealthStatus.UP);
        List<OpsEvent> events = new CopyOnWriteArrayList<>();
        OpsHealth health = build(OpsHealth.builder()
                .notifier(event -> {
                    throw new IllegalStateException("mail server down");
                })
                .notifier(events::add)
                .register("db", () -> HealthResult.of(status.get(), "now " + status.get())));

        health.check();
        status.set(HealthStatus.DOWN);
        health.check();
        health.check();
        health.check();
        status.set(HealthStatus.UP);
        health.check();

        assertThat(events).hasSize(2);
        OpsEvent down = events.get(0);
        assertThat(down.type()).isEqualTo("health.status_changed");
        assertThat(down.source()).isEqualTo("health:db");
        assertThat(down.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(down.labels()).containsEntry("from", "UP").containsEntry("to", "DOWN");
        assertThat(down.summary()).isEqualTo("health check 'db' changed from UP to DOWN: now DOWN");
        assertThat(down.at()).isEqualTo(clock.instant());
        assertThat(events.get(1).severity()).isEqualTo(Severity.INFO);
    }

    @Test
    void meterRegistry_recordsDurationAndStatusGauges() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        java.util.concurrent.atomic.AtomicInteger dbRuns = new java.util.concurrent.atomic.AtomicInteger();
        OpsHealth health = build(OpsHealth.builder().meterRegistry(registry)
                .register("db", () -> {
                    dbRuns.incrementAndGet();
                    return HealthResult.up();
                })
                .register("mail", () -> HealthResult.down("refused"), CheckOptions.defaults().critical(false)));

        health.check();
        health.check();
        System.gc(); // gauges must not lose what they read to garbage collection

        // Two probes, plus the meter refresh's first evaluation when it did not share a probe's run.
        assertThat(dbRuns.get()).isBetween(2, 3);
        assertThat(registry.get("health.check.duration").tag("check", "db").timer().count()).isEqualTo(dbRuns.get());
        assertThat(registry.get("health.check.status").tag("check", "db").gauge().value()).isEqualTo(0.0);
        assertThat(registry.get("health.check.status").tag("check", "mail").gauge().value()).isEqualTo(4.0);
        assertThat(registry.get("health.group.status").tag("group", "readiness").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void check_executorRefuses_reportsDownInsteadOfThrowing() {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.shutdown();
        OpsHealth health = build(OpsHealth.builder().executor(executor).register("db", HealthResult::up));

        CheckResult db = health.check().check("db").orElseThrow();

        assertThat(db.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(db.message().orElseThrow()).contains("refused");
    }

    @Test
    void check_afterATimedOutRunReturns_nextRequestRunsAgain() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean slow = new AtomicBoolean(true);
        AtomicInteger runs = new AtomicInteger();
        OpsHealth health = build(OpsHealth.builder().register("sometimes-slow", () -> {
            runs.incrementAndGet();
            if (slow.get()) {
                release.await();
            }
            return HealthResult.up();
        }, CheckOptions.defaults().withTimeout(Duration.ofMillis(50))));

        assertThat(health.check().status()).isEqualTo(HealthStatus.DOWN);
        slow.set(false);
        release.countDown();
        Await.until("a new run answers UP", () -> health.check().status() == HealthStatus.UP);
        assertThat(runs.get()).isGreaterThanOrEqualTo(1);
    }
}
