package io.opskit.benchmarks;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.opskit.ratelimit.AiGuard;
import io.opskit.ratelimit.AiRequest;
import io.opskit.ratelimit.ModelPolicy;
import io.opskit.ratelimit.PriceTable;
import io.opskit.ratelimit.TokenUsage;
import java.time.Duration;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The AI guard's local admission path against single-limit peers. One guarded call is admitted and
 * settled with its real usage; no provider is called.
 *
 * <ul>
 *   <li>{@code opskitGuard}: {@code AiGuard.acquire} (provider pause, requests per minute, tokens
 *       per minute weighted by the estimate, a place among 64 concurrent calls, the worst-case cost
 *       reserved in the in-memory daily budget) then {@code AiPermit.complete} (real cost charged,
 *       token difference given back, place freed) — four limits;</li>
 *   <li>{@code resilience4jRateLimiter}: {@code RateLimiter.acquirePermission()} alone;</li>
 *   <li>{@code bucket4jLocal}: a local lock-free {@code Bucket.tryConsume(1)} alone.</li>
 * </ul>
 * Every limiter is sized so it never refuses during the run: the figure is the cost of deciding.
 * Run with {@code -t 1} and {@code -t 2}, and {@code -prof gc} for B/op.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AiGuardBenchmark {

    private static final String PRICES = """
            {"format": 1, "version": "bench", "asOf": "2026-11-01", "unit": "micro-usd-per-million-tokens",
             "models": {"openai/gpt-4o-mini": {"input": 150000, "cachedInput": 75000, "output": 600000}}}
            """;

    private AiGuard guard;
    private AiRequest request;
    private TokenUsage usage;
    private RateLimiter resilience4j;
    private Bucket bucket;

    @Setup
    public void setUp() {
        guard = AiGuard.builder()
                .prices(PriceTable.fromJson(PRICES))
                .model(ModelPolicy.builder("openai", "gpt-4o-mini")
                        .requestsPerMinute(60_000_000_000L)
                        .tokensPerMinute(60_000_000_000L)
                        .maxConcurrent(64, Duration.ZERO)
                        .dailyBudgetUsd(500_000_000, 1_000_000_000)
                        .build())
                .build();
        request = AiRequest.chat("openai", "gpt-4o-mini", 6, 4);
        usage = TokenUsage.of(6, 3);
        resilience4j = RateLimiter.of("bench", RateLimiterConfig.custom()
                .limitForPeriod(Integer.MAX_VALUE)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build());
        bucket = Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(1_000_000_000_000L)
                        .refillGreedy(1_000_000_000L, Duration.ofSeconds(1)).build())
                .build();
    }

    /** The guard's four limits: admit, then settle with real usage (average, and p99 from samples). */
    @Benchmark
    @BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
    public long opskitGuard() {
        return guard.acquire(request).complete(usage).micros();
    }

    /** Resilience4j's rate limiter alone. */
    @Benchmark
    public boolean resilience4jRateLimiter() {
        return resilience4j.acquirePermission();
    }

    /** Bucket4j's local bucket alone. */
    @Benchmark
    public boolean bucket4jLocal() {
        return bucket.tryConsume(1);
    }
}
