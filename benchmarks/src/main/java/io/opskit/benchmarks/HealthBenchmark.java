package io.opskit.benchmarks;

import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.health.CheckOptions;
import io.opskit.health.CheckResult;
import io.opskit.health.HealthFormat;
import io.opskit.health.HealthReport;
import io.opskit.health.OpsHealth;
import io.opskit.health.StatusPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ops-health: 20 checks that each take 50 ms.
 *
 * <ul>
 *   <li>{@code parallel}: one {@link OpsHealth#check()} over the 20 checks (the engine's own
 *       executor, one thread per check). Goal: at most 1.2 x the slowest check (60 ms).</li>
 *   <li>{@code sequential}: the same 20 checks called one after another and aggregated with the
 *       same {@link StatusPolicy}, the way a sequential health library runs them (about 1 s).</li>
 *   <li>{@code cachedRender}: rendering 20 stored results to Opskit JSON with details (ops/s, B/op).</li>
 *   <li>{@code cachedCheckAndRender}: a request whose 20 checks are all served from their TTL
 *       cache, then rendered (ops/s, B/op).</li>
 * </ul>
 * Run with {@code -prof gc} for B/op.
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HealthBenchmark {

    private static final int CHECKS = 20;
    private static final long CHECK_MILLIS = 50;

    private final List<HealthCheck> checks = new ArrayList<>();
    private OpsHealth live;
    private OpsHealth cached;
    private HealthReport stored;

    @Setup
    public void setUp() {
        OpsHealth.Builder liveBuilder = OpsHealth.builder().parallelism(CHECKS).deadline(Duration.ofSeconds(5))
                .defaultTimeout(Duration.ofSeconds(2));
        OpsHealth.Builder cachedBuilder = OpsHealth.builder();
        for (int i = 0; i < CHECKS; i++) {
            int n = i;
            HealthCheck slow = () -> {
                Thread.sleep(CHECK_MILLIS);
                return HealthResult.builder(HealthStatus.UP).message("Connected (15.2 MB)")
                        .detail("sizeBytes", 15_938_355L).detail("responseMs", CHECK_MILLIS)
                        .detail("database", "db-" + n).build();
            };
            checks.add(slow);
            liveBuilder.register("check-" + i, slow);
            HealthResult fixed = HealthResult.builder(HealthStatus.UP).message("Connected (15.2 MB)")
                    .detail("sizeBytes", 15_938_355L).detail("responseMs", 3L).detail("database", "db-" + n).build();
            cachedBuilder.register("check-" + i, () -> fixed, CheckOptions.defaults().cacheFor(Duration.ofHours(1)));
        }
        live = liveBuilder.build();
        cached = cachedBuilder.build();
        cached.check(); // fills the caches
        List<CheckResult> results = new ArrayList<>();
        Instant at = Instant.parse("2026-03-01T08:00:00Z");
        for (int i = 0; i < CHECKS; i++) {
            results.add(new CheckResult("check-" + i, HealthStatus.UP, java.util.Optional.of("Connected (15.2 MB)"),
                    Map.of("sizeBytes", 15_938_355L, "responseMs", 3L, "database", "db-" + i), true, false, false,
                    Duration.ofMillis(3), at));
        }
        stored = new HealthReport(java.util.Optional.of("readiness"), HealthStatus.UP, 200, results, at, Duration.ofMillis(4));
    }

    @TearDown
    public void tearDown() {
        live.close();
        cached.close();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public HealthReport parallel() {
        return live.check();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public HealthStatus sequential() throws Exception {
        List<CheckResult> results = new ArrayList<>(CHECKS);
        for (int i = 0; i < CHECKS; i++) {
            long start = System.nanoTime();
            HealthResult r = checks.get(i).check();
            results.add(new CheckResult("check-" + i, r.status(), r.message(), r.details(), true, false, false,
                    Duration.ofNanos(System.nanoTime() - start), Instant.now()));
        }
        return StatusPolicy.defaults().aggregate(results);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public byte[] cachedRender() {
        return HealthFormat.OPSKIT.render(stored, true);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public byte[] cachedCheckAndRender() {
        return HealthFormat.OPSKIT.render(cached.check(), true);
    }
}
