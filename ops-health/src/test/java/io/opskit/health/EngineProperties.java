package io.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The engine's three promises over random check behaviours, timeouts and concurrent probes:
 * every probe answers within the deadline plus a small margin, a check never has two runs in
 * flight, and the engine's interrupt reaches only a run that has outlived its timeout.
 *
 * <p>Each try builds an engine with one to four checks, each returning a status, throwing any
 * kind of {@link Throwable}, returning {@code null}, sleeping (honouring interruption) for up to
 * twice its timeout, or hanging while ignoring interruption. Hanging checks are released when the
 * try ends, so no thread outlives the property.
 */
class EngineProperties {

    private static final Duration DEADLINE = Duration.ofMillis(250);
    /** Scheduling slack on a loaded two-core machine; a wedged probe waits seconds, not this. */
    private static final Duration MARGIN = Duration.ofMillis(600);

    /** What one check does on each run. */
    enum Behaviour { RETURN_UP, RETURN_DOWN, THROW_RUNTIME, THROW_ERROR, THROW_CHECKED, THROW_HOSTILE_MESSAGE,
        RETURN_NULL, SLOW, HANG_IGNORING_INTERRUPTS;

        boolean returnsAtOnce() {
            return this != SLOW && this != HANG_IGNORING_INTERRUPTS;
        }
    }

    private static final ThreadLocal<Long> HANDED_OVER = ThreadLocal.withInitial(System::nanoTime);

    record Spec(Behaviour behaviour, int timeoutMs, int slowMs) {
    }

    @Property(tries = 20)
    void everyProbeAnswersInTime_oneRunPerCheck_interruptsOnlyLateRuns(
            @ForAll @Size(min = 1, max = 4) List<@From("specs") Spec> specs,
            @ForAll @IntRange(min = 1, max = 6) int probers,
            @ForAll @IntRange(min = 1, max = 8) int probesEach) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Instrumented> checks = new ArrayList<>();
        ExecutorService workers = Executors.newCachedThreadPool();
        OpsHealth.Builder builder = OpsHealth.builder().deadline(DEADLINE).closeTimeout(Duration.ofMillis(200))
                .executor(task -> {
                    // The engine arms a run's timer, then hands the run here: a run's clock starts no
                    // earlier than this, however late the worker thread gets to it.
                    long handedOver = System.nanoTime();
                    workers.execute(() -> {
                        HANDED_OVER.set(handedOver);
                        task.run();
                    });
                });
        for (int i = 0; i < specs.size(); i++) {
            Instrumented check = new Instrumented(specs.get(i), release);
            checks.add(check);
            builder.register("c" + i, check,
                    CheckOptions.defaults().withTimeout(Duration.ofMillis(specs.get(i).timeoutMs())));
        }
        ExecutorService probes = Executors.newFixedThreadPool(probers);
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Integer> reportSizes = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> timedOut = new ConcurrentLinkedQueue<>();
        OpsHealth health = builder.build();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int p = 0; p < probers; p++) {
                futures.add(probes.submit(() -> {
                    for (int k = 0; k < probesEach; k++) {
                        long start = System.nanoTime();
                        HealthReport report = health.check();
                        latencies.add(System.nanoTime() - start);
                        reportSizes.add(report.checks().size());
                        report.checks().stream().filter(CheckResult::timedOut).forEach(r -> timedOut.add(r.name()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            checks.forEach(c -> c.closing = true); // close() interrupts every run in flight, rightly
            health.close();
            release.countDown();
            probes.shutdownNow();
            workers.shutdown();
        }
        assertThat(latencies).hasSize(probers * probesEach);
        long worstMs = latencies.stream().mapToLong(Long::longValue).max().orElse(0) / 1_000_000;
        assertThat(worstMs).as("slowest probe (ms) for %s", specs).isLessThanOrEqualTo(DEADLINE.plus(MARGIN).toMillis());
        assertThat(reportSizes).as("every probe reports every check").allMatch(n -> n == specs.size());
        for (int i = 0; i < checks.size(); i++) {
            Spec spec = specs.get(i);
            if (spec.behaviour().returnsAtOnce() && spec.timeoutMs() >= 80) {
                // A wedged slot would answer "timed out" to every later probe of a check that returns at once.
                assertThat(timedOut).as("timed-out results of %s", spec).doesNotContain("c" + i);
            }
        }
        for (Instrumented check : checks) {
            assertThat(check.maxInFlight.get()).as("runs in flight at once for %s", check.spec).isLessThanOrEqualTo(1);
            assertThat(check.earlyInterrupts).as("interrupts (ms into the run) before half the timeout, %s",
                    check.spec).isEmpty();
        }
    }

    @Provide
    Arbitrary<Spec> specs() {
        Arbitrary<Behaviour> behaviours = Arbitraries.of(Behaviour.class);
        Arbitrary<Integer> timeouts = Arbitraries.integers().between(20, 150);
        // Slow runs cluster around their timeout, where a late timer meets the next run.
        Arbitrary<Integer> fractions = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 200)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(90, 110)));
        return Combinators.combine(behaviours, timeouts, fractions)
                .as((b, t, percent) -> new Spec(b, t, t * percent / 100));
    }

    /** A check that does what its spec says and records how the engine treated each run. */
    static final class Instrumented implements HealthCheck {
        final Spec spec;
        private final CountDownLatch release;
        private final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final ConcurrentLinkedQueue<Long> earlyInterrupts = new ConcurrentLinkedQueue<>();
        volatile boolean closing;

        Instrumented(Spec spec, CountDownLatch release) {
            this.spec = spec;
            this.release = release;
        }

        @Override
        @SuppressWarnings("NullAway") // returning null is one of the behaviours under test
        public HealthResult check() throws Exception {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            long start = HANDED_OVER.get();
            if (Thread.currentThread().isInterrupted()) {
                earlyInterrupts.add(0L); // an interrupt meant for an earlier run reached this one
            }
            try {
                return behave(start);
            } catch (InterruptedException e) {
                interrupted(start);
                throw e;
            } finally {
                inFlight.decrementAndGet();
            }
        }

        private void interrupted(long start) {
            long intoRunMs = (System.nanoTime() - start) / 1_000_000;
            if (!closing && intoRunMs * 2 < spec.timeoutMs()) {
                earlyInterrupts.add(intoRunMs);
            }
        }

        private HealthResult behave(long start) throws Exception {
            switch (spec.behaviour()) {
                case RETURN_UP:
                    return HealthResult.up();
                case RETURN_DOWN:
                    return HealthResult.down("down on purpose");
                case THROW_RUNTIME:
                    throw new IllegalStateException("runtime failure");
                case THROW_ERROR:
                    throw new AssertionError("an Error, not an Exception");
                case THROW_CHECKED:
                    throw new java.io.IOException("checked failure");
                case THROW_HOSTILE_MESSAGE:
                    throw new IllegalStateException() {
                        @Override
                        public String getMessage() {
                            throw new UnsupportedOperationException("getMessage throws");
                        }
                    };
                case RETURN_NULL:
                    return null;
                case SLOW:
                    Thread.sleep(spec.slowMs());
                    return HealthResult.up();
                case HANG_IGNORING_INTERRUPTS:
                    while (true) {
                        try {
                            if (release.await(10, TimeUnit.SECONDS)) {
                                return HealthResult.of(HealthStatus.UP, "released");
                            }
                        } catch (InterruptedException ignored) {
                            // ignores the engine's interrupt on purpose, like a blocked socket read
                            interrupted(start);
                        }
                    }
                default:
                    throw new AssertionError(spec.behaviour());
            }
        }
    }
}
