package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.ratelimit.internal.RateLimiter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Invariants of the limiters over random sequences of requests, settlements and time. */
class LimiterProperties {

    record Step(long advanceMillis, long permits) { }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.longs().between(0, 20_000), Arbitraries.longs().between(1, 40))
                .as(Step::new).list().ofMinSize(1).ofMaxSize(200);
    }

    @Property
    void rateLimiter_neverAdmitsMoreThanBurstPlusRefillInAnyWindow(
            @ForAll @LongRange(min = 1, max = 120) long perMinute, @ForAll("steps") List<Step> steps) {
        long now = 5_000_000_000L;
        RateLimiter limiter = new RateLimiter(perMinute);
        long arrival = limiter.full(now);
        List<long[]> admitted = new ArrayList<>(); // {time, permits}
        for (Step s : steps) {
            now += s.advanceMillis() * 1_000_000L;
            long next = limiter.take(arrival, s.permits(), now);
            if (RateLimiter.waitNanos(next, now) == 0) {
                arrival = next;
                admitted.add(new long[] {now, s.permits()});
            }
        }
        for (int i = 0; i < admitted.size(); i++) {
            long sum = 0;
            for (int j = i; j < admitted.size(); j++) {
                sum += admitted.get(j)[1];
                long elapsedNanos = admitted.get(j)[0] - admitted.get(i)[0];
                double allowed = perMinute + elapsedNanos * (double) perMinute / 60e9;
                assertThat((double) sum).isLessThanOrEqualTo(allowed + 1e-9);
            }
        }
    }

    @Property
    void rateLimiter_refusalSaysHowLongAndThatWaitSuffices(
            @ForAll @LongRange(min = 1, max = 1_000) long perMinute, @ForAll("steps") List<Step> steps) {
        long now = 0;
        RateLimiter limiter = new RateLimiter(perMinute);
        long arrival = limiter.full(now);
        for (Step s : steps) {
            now += s.advanceMillis() * 1_000_000L;
            long next = limiter.take(arrival, s.permits(), now);
            long wait = RateLimiter.waitNanos(next, now);
            if (wait == 0) {
                arrival = next;
            } else if (wait != RateLimiter.NEVER) {
                assertThat(s.permits()).isLessThanOrEqualTo(perMinute);
                next = limiter.take(arrival, s.permits(), now + wait);
                assertThat(RateLimiter.waitNanos(next, now + wait)).isZero();
                arrival = next;
                now += wait;
            } else {
                assertThat(s.permits()).isGreaterThan(perMinute);
            }
            assertThat(limiter.available(arrival, now)).isBetween(0L, perMinute);
        }
    }

    enum Op { ACQUIRE, COMPLETE, RELEASE, ADVANCE }

    @Property(tries = 200)
    void guard_randomInterleavings_neverExceedConcurrencyOrBudget(
            @ForAll @Size(min = 1, max = 150) List<@IntRange(min = 0, max = 3) Integer> ops,
            @ForAll @IntRange(min = 1, max = 4) int maxConcurrent,
            @ForAll @LongRange(min = 0, max = 900) long usedOutput) {
        FakeTime time = new FakeTime(Instant.parse("2026-11-21T10:00:00Z"));
        long hardMicros = 40_000;
        AiGuard guard = AiGuard.builder().prices(Fixtures.prices())
                .model(ModelPolicy.builder("openai", "gpt-4o").requestsPerMinute(20).tokensPerMinute(5_000)
                        .maxConcurrent(maxConcurrent, Duration.ZERO).dailyBudgetUsd(0.04, 0.04).build())
                .clock(time).nanoTime(time::nanoTime).build();
        AiRequest request = AiRequest.chat("openai", "gpt-4o", 100, 900); // 9,250 micro-USD worst case
        List<Long> open = new ArrayList<>();
        for (int code : ops) {
            Op op = Op.values()[code];
            switch (op) {
                case ACQUIRE -> {
                    try {
                        open.add(guard.acquire(request));
                    } catch (AiGuardException refused) {
                        assertThat(refused.reason()).isIn("rate_limit", "concurrency", "budget");
                    }
                }
                case COMPLETE -> {
                    if (!open.isEmpty()) {
                        guard.complete(open.remove(0), TokenUsage.of(100, usedOutput));
                    }
                }
                case RELEASE -> {
                    if (!open.isEmpty()) {
                        guard.release(open.remove(open.size() - 1));
                    }
                }
                case ADVANCE -> time.advance(Duration.ofSeconds(7));
            }
            assertThat(open).hasSizeLessThanOrEqualTo(maxConcurrent);
            BudgetStatus day = guard.budgets().get(0);
            assertThat(day.spentMicros() + day.reservedMicros()).isLessThanOrEqualTo(hardMicros);
        }
        open.forEach(guard::release);
        assertThat(guard.budgets().get(0).reservedMicros()).isZero();
    }
}
