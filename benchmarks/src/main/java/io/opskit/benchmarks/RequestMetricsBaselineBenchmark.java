package io.opskit.benchmarks;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floors that Opskit's request-metrics middleware is compared with: what a hand-written
 * Micrometer instrumentation costs per request.
 *
 * <ul>
 *   <li>{@code builderPerRequest}: {@code Timer.start(registry)} then
 *       {@code sample.stop(Timer.builder(...).tags(method, route, status, outcome).register(registry))},
 *       the pattern most frameworks use (a meter lookup on every request);</li>
 *   <li>{@code preResolved}: the same start/stop on a {@link Timer} resolved once.</li>
 * </ul>
 * Both make the two clock reads any middleware must make. Run with {@code -prof gc} for B/op.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RequestMetricsBaselineBenchmark {

    /** The registry under test: Micrometer's simple registry or the Prometheus one. */
    @Param({"simple", "prometheus"})
    public String registryKind;

    private MeterRegistry registry;
    private Timer preResolvedTimer;

    @Setup
    public void setUp() {
        registry = "prometheus".equals(registryKind)
                ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)
                : new SimpleMeterRegistry();
        preResolvedTimer = Timer.builder("http.server.requests")
                .tags(Tags.of("method", "GET", "route", "/api/items/{id}", "status", "200", "outcome", "SUCCESS"))
                .register(registry);
    }

    @TearDown
    public void tearDown() {
        registry.close();
    }

    @Benchmark
    public long builderPerRequest() {
        Timer.Sample sample = Timer.start(registry);
        return sample.stop(Timer.builder("http.server.requests")
                .tags("method", "GET", "route", "/api/items/{id}", "status", "200", "outcome", "SUCCESS")
                .register(registry));
    }

    @Benchmark
    public long preResolved() {
        Timer.Sample sample = Timer.start(registry);
        return sample.stop(preResolvedTimer);
    }
}
