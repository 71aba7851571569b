package io.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.health.Probe;
import io.opskit.health.checks.MaintenanceMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * One regression test per finding of the engine review: a run that always completes, interrupt
 * results never cached, an interrupt that reaches only its own run, rendering that never throws,
 * fresh gauges, and configuration validated at build time.
 */
class EngineFindingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** Asks the same check three times; a wedged check would make each wait the whole deadline. */
    private static void assertRunsAgain(OpsHealth health, AtomicInteger runs) {
        for (int i = 1; i <= 3; i++) {
            long start = System.nanoTime();
            HealthReport report = health.check();
            assertThat(report.checks()).hasSize(1);
            assertThat(report.checks().get(0).timedOut()).as("probe %d timed out", i).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
        assertThat(runs).hasValue(3);
    }

    // ---- finding 1: a check wedges for good when anything throws after the check returns

    @Test
    void wedge_exceptionWhoseGetMessageThrows_runCompletesAndCheckRunsAgain() {
        AtomicInteger runs = new AtomicInteger();
        OpsHealth health = build(OpsHealth.builder().deadline(Duration.ofSeconds(5)).register("db", () -> {
            runs.incrementAndGet();
            throw new IllegalStateException() {
                @Override
                public String getMessage() {
                    throw new UnsupportedOperationException("no message for you");
                }
            };
        }));

        assertRunsAgain(health, runs);
        CheckResult db = health.check().check("db").orElseThrow();
        assertThat(db.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(db.message().orElseThrow()).contains("its message could not be read");
    }

    @Test
    void wedge_notifierThrowingAnError_runCompletesAndCheckRunsAgain() {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger flips = new AtomicInteger();
        OpsHealth health = build(OpsHealth.builder()
                .notifier(event -> {
                    throw new AssertionError("notifier bug");
                })
                .register("db", () -> {
                    runs.incrementAndGet();
                    // every run is a transition, so every run reaches the notifier
                    return flips.incrementAndGet() % 2 == 0 ? HealthResult.up() : HealthResult.down("flapping");
                }));

        assertRunsAgain(health, runs);
    }

    @Test
    void wedge_messageLongEnoughToOverflowTheRedactor_runCompletesWithAShortMessage() {
        AtomicInteger runs = new AtomicInteger();
        String huge = "password=" + "x".repeat(1_000_000) + " token=" + "ab12".repeat(100_000);
        OpsHealth health = build(OpsHealth.builder().register("db", () -> {
            runs.incrementAndGet();
            throw new IllegalStateException(huge);
        }));

        assertRunsAgain(health, runs);
        String message = health.check().check("db").orElseThrow().message().orElseThrow();
        assertThat(message.length()).isLessThanOrEqualTo(350);
        assertThat(message).doesNotContain("xxxxxxxxxx");
    }

    @Test
    void wedge_timeoutOf300Years_rejectedAtBuildTimeInsteadOfOverflowingAtRunTime() {
        assertThatThrownBy(() -> CheckOptions.defaults().withTimeout(Duration.ofDays(365L * 300)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be at most PT24H: PT2628000H");
    }

    @Test
    void wedge_backgroundScheduleWhoseNotifierThrows_keepsRunning() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        OpsHealth health = build(OpsHealth.builder()
                .notifier(event -> {
                    throw new OutOfMemoryError("simulated notifier failure");
                })
                .register("flappy", () -> runs.incrementAndGet() % 2 == 0 ? HealthResult.up()
                        : HealthResult.down("odd run"),
                        CheckOptions.defaults().inBackground(Duration.ofMillis(100), 0, Duration.ofSeconds(10))));

        Await.until("the background check ran four times", () -> runs.get() >= 4);
        assertThat(health.check().check("flappy").orElseThrow().message().orElse(""))
                .doesNotStartWith("no result yet");
    }

    // ---- finding 2: a result caused by the engine's own interrupt is cached

    @Test
    void interruptResult_lateDownAfterTimeout_isNeverCached() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch interruptedRunReturned = new CountDownLatch(1);
        OpsHealth health = build(OpsHealth.builder().register("slow", () -> {
            if (runs.incrementAndGet() == 1) {
                try {
                    Thread.sleep(30_000); // far longer than the timeout: only the interrupt ends it
                } finally {
                    interruptedRunReturned.countDown();
                }
            }
            return HealthResult.up();
        }, CheckOptions.defaults().withTimeout(Duration.ofMillis(200)).cacheFor(Duration.ofSeconds(10))));

        CheckResult first = health.check().check("slow").orElseThrow();
        assertThat(first.timedOut()).isTrue();
        assertThat(interruptedRunReturned.await(20, TimeUnit.SECONDS)).isTrue();
        Await.until("the slot is free", () -> {
            CheckResult r = health.check().check("slow").orElseThrow();
            return !r.timedOut();
        });

        CheckResult later = health.check().check("slow").orElseThrow();
        assertThat(later.status()).isEqualTo(HealthStatus.UP);
        assertThat(later.message().orElse("")).doesNotContain("InterruptedException");
        assertThat(runs).hasValue(2);
    }

    // ---- finding 3: one run's timeout interrupts the next run

    @Test
    void interruptLeak_timeoutOfOneRun_neverReachesAnotherRun() throws Exception {
        AtomicInteger interruptedRuns = new AtomicInteger();
        OpsHealth health = build(OpsHealth.builder().deadline(Duration.ofSeconds(2)).register("quick", () -> {
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(1, 40));
            } catch (InterruptedException e) {
                interruptedRuns.incrementAndGet();
                throw e;
            }
            return HealthResult.up();
        }, CheckOptions.defaults().withTimeout(Duration.ofMillis(20))));

        ExecutorService probes = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<CheckResult>>> all = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                all.add(probes.submit(() -> {
                    List<CheckResult> seen = new ArrayList<>();
                    for (int i = 0; i < 75; i++) {
                        seen.add(health.check().check("quick").orElseThrow());
                    }
                    return seen;
                }));
            }
            for (Future<List<CheckResult>> f : all) {
                for (CheckResult r : f.get(60, TimeUnit.SECONDS)) {
                    // An interrupt reaches only a run that timed out, and that run's late result
                    // is discarded: no probe can read the engine's own InterruptedException.
                    assertThat(r.message().orElse("")).doesNotContain("InterruptedException");
                    assertThat(r.status() == HealthStatus.UP || r.timedOut()).isTrue();
                }
            }
        } finally {
            probes.shutdownNow();
        }
    }

    // ---- finding 4: a detail value that is not plain JSON makes rendering throw

    @Test
    void rendering_detailsThatAreNotPlainJson_renderAsTextAndNeverThrow() throws Exception {
        Map<String, Object> cycle = new LinkedHashMap<>();
        cycle.put("self", cycle);
        Object throwingToString = new Object() {
            @Override
            public String toString() {
                throw new IllegalStateException("cannot print");
            }
        };
        OpsHealth health = build(OpsHealth.builder().register("odd", () -> HealthResult.builder(HealthStatus.UP)
                .detail("at", Instant.parse("2026-01-01T00:00:00Z"))
                .detail("age", Duration.ofMinutes(5))
                .detail("day", LocalDate.of(2026, 1, 1))
                .detail("maybe", Optional.of(3))
                .detail("nothing", Optional.empty())
                .detail("cycle", cycle)
                .detail("broken", throwingToString)
                .detail("secret", new Object() {
                    @Override
                    public String toString() {
                        return "postgres://app:hunter2@db/app";
                    }
                })
                .build(), CheckOptions.defaults().critical(false)));
        HealthEndpoint endpoint = HealthEndpoint.builder(health).details(DetailsPolicy.always()).build();

        HealthResponse response = endpoint.handle("/health", null);

        assertThat(response.status()).isEqualTo(200);
        JsonNode details = JSON.readTree(response.body()).path("checks").path("odd").path("details");
        assertThat(details.path("at").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(details.path("age").asText()).isEqualTo("PT5M");
        assertThat(details.path("day").asText()).isEqualTo("2026-01-01");
        assertThat(details.path("maybe").asInt()).isEqualTo(3);
        assertThat(details.path("nothing").isNull()).isTrue();
        assertThat(details.path("cycle").path("self").asText()).isEqualTo("<cycle>");
        assertThat(details.path("broken").asText()).startsWith("<unrenderable ");
        assertThat(response.bodyText()).doesNotContain("hunter2");
    }

    @Test
    void rendering_thatFails_answers500WithAJsonError() throws Exception {
        OpsHealth health = build(OpsHealth.builder().register("odd", () -> HealthResult.builder(HealthStatus.UP)
                .detail("huge", new Object() {
                    @Override
                    public String toString() {
                        throw new OutOfMemoryError("simulated");
                    }
                }).build()));
        HealthEndpoint endpoint = HealthEndpoint.builder(health).details(DetailsPolicy.always()).build();

        HealthResponse response = endpoint.handle("/health", null);

        assertThat(response.status()).isEqualTo(500);
        assertThat(response.contentType()).isEqualTo("application/json");
        assertThat(JSON.readTree(response.body()).path("error").asText()).contains("could not be rendered");
    }

    // ---- finding 5: health gauges go stale

    @Test
    void gauges_maintenanceSwitchedOff_readUpWithoutAnyProbe() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MaintenanceMode maintenance = MaintenanceMode.off();
        maintenance.set(true);
        OpsHealth health = build(OpsHealth.builder().meterRegistry(registry).meterRefresh(Duration.ofMillis(100))
                .register("maintenance", maintenance, MaintenanceMode.options()));
        Await.until("the gauge reads OUT_OF_SERVICE",
                () -> registry.get("health.check.status").tag("check", "maintenance").gauge().value() == 3.0);

        maintenance.set(false);

        Await.until("the gauge reads UP with no request", () ->
                registry.get("health.check.status").tag("check", "maintenance").gauge().value() == 0.0
                        && registry.get("health.group.status").tag("group", "readiness").gauge().value() == 0.0);
        assertThat(health.checkNames()).containsExactly("maintenance");
    }

    @Test
    void gauges_beforeTheFirstResult_readUnknownNotNaN_andAnEmptyGroupReadsUnknown() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CountDownLatch release = new CountDownLatch(1);
        build(OpsHealth.builder().meterRegistry(registry).register("slow", () -> {
            release.await();
            return HealthResult.up();
        }, CheckOptions.defaults().withTimeout(Duration.ofSeconds(30))));
        try {
            assertThat(registry.get("health.check.status").tag("check", "slow").gauge().value()).isEqualTo(2.0);
            assertThat(registry.get("health.group.status").tag("group", "readiness").gauge().value()).isEqualTo(2.0);
            assertThat(registry.get("health.group.status").tag("group", "liveness").gauge().value()).isEqualTo(2.0);
        } finally {
            release.countDown();
        }
    }

    @Test
    void gauges_refresh_respectsTheChecksCache() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicInteger runs = new AtomicInteger();
        OpsHealth health = build(OpsHealth.builder().meterRegistry(registry).meterRefresh(Duration.ofDays(1))
                .register("cached", () -> {
                    runs.incrementAndGet();
                    return HealthResult.up();
                }, CheckOptions.defaults().cacheFor(Duration.ofMinutes(1))));
        health.check(); // the first result, cached (the start-up refresh may have produced it)
        int afterFirst = runs.get();

        health.refreshMeters();
        health.refreshMeters();

        assertThat(runs).hasValue(afterFirst);
        clock.advance(Duration.ofMinutes(2));
        health.refreshMeters();
        assertThat(runs.get()).isLessThanOrEqualTo(afterFirst + 1);
    }

    // ---- finding 6: nonsense configuration is accepted and fails later

    @Test
    void validation_durationsOf292YearsOrMore_rejectedWithTheFieldsName() {
        Duration centuries = Duration.ofDays(365L * 292);
        assertThatThrownBy(() -> OpsHealth.builder().deadline(centuries))
                .hasMessage("deadline must be at most PT24H: " + centuries);
        assertThatThrownBy(() -> OpsHealth.builder().defaultTimeout(centuries))
                .hasMessage("defaultTimeout must be at most PT24H: " + centuries);
        assertThatThrownBy(() -> CheckOptions.defaults().withTimeout(centuries))
                .hasMessage("timeout must be at most PT24H: " + centuries);
        assertThatThrownBy(() -> CheckOptions.defaults().cacheFor(centuries))
                .hasMessage("cacheTtl must be at most PT24H: " + centuries);
    }

    @Test
    void validation_hotLoopBackgroundSchedule_rejected() {
        assertThatThrownBy(() -> CheckOptions.defaults().inBackground(Duration.ofNanos(1), Integer.MAX_VALUE,
                Duration.ofNanos(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("interval must be at least PT0.1S: PT0.000000001S");
        assertThatThrownBy(() -> CheckOptions.defaults().inBackground(Duration.ofSeconds(1), Integer.MAX_VALUE,
                Duration.ofSeconds(1)))
                .hasMessage("retries must be between 0 and 10: 2147483647");
    }

    @Test
    void validation_nullArguments_npeNamesTheArgument() {
        assertThatThrownBy(() -> CheckOptions.defaults().inGroups(Probe.LIVENESS, null))
                .isInstanceOf(NullPointerException.class).hasMessage("probes[1]");
        assertThatThrownBy(() -> CheckOptions.defaults().inGroups("custom", null))
                .isInstanceOf(NullPointerException.class).hasMessage("groupNames[1]");
        assertThatThrownBy(() -> StatusPolicy.defaults().order(HealthStatus.DOWN, null))
                .isInstanceOf(NullPointerException.class).hasMessage("worstFirst[1]");
    }

    @Test
    void validation_basePathWithQuery_rejected() {
        OpsHealth health = build(OpsHealth.builder());
        assertThatThrownBy(() -> HealthEndpoint.builder(health).basePath("/health?x=1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'/health?x=1'");
        assertThatThrownBy(() -> HealthEndpoint.builder(health).basePath("/a/../b"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(HealthEndpoint.builder(health).basePath("/ops/health").build().basePath()).isEqualTo("/ops/health");
    }

    @Test
    void validation_singleValuedPropertySetTwice_illegalState() {
        assertThatThrownBy(() -> OpsHealth.builder().clock(clock).clock(clock))
                .isInstanceOf(IllegalStateException.class).hasMessage("clock was already set");
        assertThatThrownBy(() -> OpsHealth.builder().deadline(Duration.ofSeconds(1)).deadline(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class).hasMessage("deadline was already set");
        assertThatThrownBy(() -> OpsHealth.builder().meterRegistry(new SimpleMeterRegistry())
                .meterRegistry(new SimpleMeterRegistry()))
                .isInstanceOf(IllegalStateException.class).hasMessage("meterRegistry was already set");
        assertThatThrownBy(() -> OpsHealth.builder().executor(Runnable::run).parallelism(4).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("parallelism");
    }

    @Test
    void close_checkIgnoringInterruption_waitsABoundedTimeAndNamesIt() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(OpsHealth.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        CountDownLatch release = new CountDownLatch(1);
        HealthCheck stubborn = () -> {
            while (!release.await(10, TimeUnit.SECONDS)) {
                Thread.onSpinWait();
            }
            return HealthResult.up();
        };
        HealthCheck ignoring = () -> {
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
        OpsHealth health = OpsHealth.builder().closeTimeout(Duration.ofMillis(300))
                .register("polite", stubborn, CheckOptions.defaults().withTimeout(Duration.ofMillis(50)))
                .register("stuck", ignoring, CheckOptions.defaults().withTimeout(Duration.ofMillis(50)))
                .build();
        try {
            health.check();
            long start = System.nanoTime();
            health.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).isLessThan(Duration.ofSeconds(5));
            assertThat(appender.list).anySatisfy(event -> {
                assertThat(event.getLevel().toString()).isEqualTo("WARN");
                assertThat(event.getFormattedMessage()).contains("stuck (thread opskit-health-check-")
                        .doesNotContain("polite");
            });
        } finally {
            release.countDown();
            logger.detachAppender(appender);
        }
    }

    // ---- finding 7 (engine part): the startup report of a background check whose first run failed

    @Test
    void background_firstRunFailedWhileRetrying_reportsTheFailureNotNoResultYet() throws Exception {
        CountDownLatch retrying = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        OpsHealth health = build(OpsHealth.builder().register("migrations", () -> {
            if (runs.incrementAndGet() > 1) {
                retrying.await(); // the retry hangs, so only the first result is known
            }
            return HealthResult.down("schema is behind");
        }, CheckOptions.defaults().inGroups(Probe.STARTUP).withTimeout(Duration.ofSeconds(30))
                .inBackground(Duration.ofMinutes(5), 3, Duration.ofMinutes(15))));
        try {
            Await.until("the retry started", () -> runs.get() >= 2);

            CheckResult startup = health.check(Probe.STARTUP).check("migrations").orElseThrow();
            assertThat(startup.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(startup.message()).hasValue("schema is behind");
        } finally {
            retrying.countDown();
        }
    }
}
