package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.ratelimit.StandInProvider.Answer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The guard around real JDK HttpClient calls to a stand-in provider on loopback. */
class AiGuardProviderTest {

    private final FakeTime time = new FakeTime(Instant.parse("2026-11-21T10:00:00Z"));
    private final StandInProvider provider;
    private final OpenAiLikeClient client;

    AiGuardProviderTest() throws Exception {
        provider = new StandInProvider();
        client = new OpenAiLikeClient(provider.baseUrl());
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    private AiGuard.Builder guard() {
        return AiGuard.builder()
                .prices(Fixtures.prices())
                .model(ModelPolicy.builder("openai", "gpt-4o").requestsPerMinute(100).tokensPerMinute(100_000)
                        .maxConcurrent(3, Duration.ZERO).contextWindow(128_000).dailyBudgetUsd(50, 100).build())
                .model(ModelPolicy.builder("openai", "gpt-4o-mini").requestsPerMinute(100).contextWindow(128_000)
                        .dailyBudgetUsd(20, 40).build())
                .fallback("openai/gpt-4o", "openai/gpt-4o-mini")
                .clock(time).ticker(time::nanoTime).sleeper(time.sleeper()).jitter(() -> 0.5);
    }

    private static AiRequest ask() {
        return AiRequest.chat("openai", "gpt-4o", 1_000, 500);
    }

    @Test
    void call_providerAnswers200_chargesRealCostNotReservation() {
        provider.then(Answer.ok(1_000, 200, 300, 0));
        AiGuard guard = guard().build();

        AiResult<String> result = guard.call(ask(), client.ask("How was it?", 500));

        assertThat(result.value()).isEqualTo("Thanks for the feedback.");
        assertThat(result.model()).isEqualTo("gpt-4o");
        assertThat(result.usage()).isEqualTo(new TokenUsage(1_000, 200, 300, 0));
        // 800 uncached * 2.5 + 200 cached * 1.25 + 300 * 10 = 2000 + 250 + 3000 micro-USD
        assertThat(result.cost().micros()).isEqualTo(5_250);
        BudgetStatus day = guard.budgets().get(0);
        assertThat(day.spent().micros()).isEqualTo(5_250);
        assertThat(day.reserved().micros()).isZero();
        assertThat(day.period()).isEqualTo("2026-11-21");
    }

    @Test
    void call_429WithRetryAfterSeconds_pausesModelForAllThreadsAndFallsBack() {
        provider.then(Answer.status(429, Map.of("Retry-After", "20")), Answer.ok(1_000, 100));
        AiGuard guard = guard().build();

        AiResult<String> result = guard.call(ask(), client.ask("hi", 500));

        assertThat(result.model()).isEqualTo("gpt-4o-mini");
        assertThat(provider.modelsCalled).containsExactly("gpt-4o", "gpt-4o-mini");
        // Any thread asking for gpt-4o now is refused without a request leaving.
        assertThatThrownBy(() -> guard.acquire(ask()))
                .isInstanceOfSatisfying(RateLimitedException.class, e -> {
                    assertThat(e.limit().wireName()).isEqualTo("provider_retry_after");
                    assertThat(e.model()).isEqualTo("gpt-4o");
                    assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(20));
                });
        time.advance(Duration.ofSeconds(20));
        AiPermit stamp = guard.acquire(ask());
        stamp.release();
    }

    @Test
    void call_429WithHttpDate_waitsUntilDateWhenNoFallbackAdmits() {
        String in3s = DateTimeFormatter.RFC_1123_DATE_TIME.format(time.instant().plusSeconds(3).atOffset(ZoneOffset.UTC));
        provider.then(Answer.status(429, Map.of("Retry-After", in3s)), Answer.ok(1_000, 100));
        AiGuard guard = guard().build();

        AiResult<String> result = guard.call(AiRequest.chat("openai", "gpt-4o-mini", 1_000, 500),
                client.ask("hi", 500));

        assertThat(result.model()).isEqualTo("gpt-4o-mini");
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(time.sleeps).containsExactly(Duration.ofSeconds(3));
    }

    @Test
    void call_429WithRetryAfterMs_prefersMilliseconds() {
        provider.then(Answer.status(429, Map.of("retry-after-ms", "1500", "Retry-After", "2")), Answer.ok(10, 10));
        AiGuard guard = guard().build();

        guard.call(AiRequest.chat("openai", "gpt-4o-mini", 10, 10), client.ask("hi", 10));

        assertThat(time.sleeps).containsExactly(Duration.ofMillis(1500));
    }

    @Test
    void call_429RetryAfterBeyondRetryBudget_refusesWithRetryAfter() {
        provider.then(Answer.status(429, Map.of("Retry-After", "600")));
        AiGuard guard = guard().build();

        assertThatThrownBy(() -> guard.call(AiRequest.chat("openai", "gpt-4o-mini", 10, 10), client.ask("hi", 10)))
                .isInstanceOfSatisfying(RateLimitedException.class, e -> {
                    assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(600));
                    assertThat(e.getMessage()).contains("openai/gpt-4o-mini").contains("provider_retry_after");
                });
        assertThat(provider.modelsCalled).hasSize(1);
    }

    @Test
    void call_503ThenOk_retriesWithBackoffAndJitter() {
        provider.then(Answer.status(503, Map.of()), Answer.status(500, Map.of()), Answer.ok(100, 10));
        AiGuard guard = guard().build();

        AiResult<String> result = guard.call(ask(), client.ask("hi", 500));

        assertThat(result.model()).isEqualTo("gpt-4o");
        assertThat(result.attempts()).isEqualTo(3);
        // 500 ms then 1 s backoff, each with jitter 0.5 -> 3/4 of the backoff
        assertThat(time.sleeps).containsExactly(Duration.ofMillis(375), Duration.ofMillis(750));
        assertThat(guard.budgets().get(0).reserved().micros()).isZero();
    }

    @Test
    void call_serverErrorsBeyondRetryBudget_throwsProviderErrorNamingStatus() {
        provider.then(Answer.status(502, Map.of()), Answer.status(502, Map.of()), Answer.status(502, Map.of()));
        AiGuard guard = guard().build();

        assertThatThrownBy(() -> guard.call(ask(), client.ask("hi", 500)))
                .isInstanceOfSatisfying(ProviderErrorException.class, e -> {
                    assertThat(e.errorType()).isEqualTo("http_502");
                    assertThat(e.provider()).isEqualTo("openai");
                    assertThat(e.model()).isEqualTo("gpt-4o");
                });
        assertThat(provider.modelsCalled).hasSize(3);
        assertThat(guard.budgets().get(0).spent().micros()).isZero();
    }

    @Test
    void call_400_isNotRetried() {
        provider.then(Answer.status(400, Map.of()));
        AiGuard guard = guard().build();

        assertThatThrownBy(() -> guard.call(ask(), client.ask("hi", 500)))
                .isInstanceOfSatisfying(ProviderErrorException.class, e -> assertThat(e.errorType()).isEqualTo("http_400"));
        assertThat(provider.modelsCalled).hasSize(1);
    }

    @Test
    void call_repeatedServerErrors_opensCircuitAndFallsBack() throws Exception {
        AiGuard guard = guard().retry(RetryPolicy.none()).circuitBreaker(50, 2, Duration.ofSeconds(30)).build();
        provider.then(Answer.status(500, Map.of()), Answer.status(500, Map.of()));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> guard.call(ask(), client.ask("hi", 500))).isInstanceOf(ProviderErrorException.class);
        }
        assertThat(guard.healthCheck("openai").check().status().name()).isEqualTo("DEGRADED");

        AiResult<String> result = guard.call(ask(), client.ask("hi", 500));

        assertThat(result.model()).isEqualTo("gpt-4o-mini");
        assertThat(provider.modelsCalled).containsExactly("gpt-4o", "gpt-4o", "gpt-4o-mini");
    }

    @Test
    void call_circuitOpenWithoutFallback_refusesNamingBreakerAndRetryAfter() {
        AiGuard guard = guard().retry(RetryPolicy.none()).circuitBreaker(50, 1, Duration.ofSeconds(30)).build();
        provider.then(Answer.status(503, Map.of()));
        AiRequest mini = AiRequest.chat("openai", "gpt-4o-mini", 10, 10);
        assertThatThrownBy(() -> guard.call(mini, client.ask("hi", 10))).isInstanceOf(ProviderErrorException.class);

        assertThatThrownBy(() -> guard.call(mini, client.ask("hi", 10)))
                .isInstanceOfSatisfying(CircuitOpenException.class, e -> {
                    assertThat(e.limit().wireName()).isEqualTo("circuit_breaker");
                    assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(30));
                });
        assertThat(provider.modelsCalled).hasSize(1);
        time.advance(Duration.ofSeconds(31));
        assertThat(guard.call(mini, client.ask("hi", 10)).model()).isEqualTo("gpt-4o-mini");
    }

    @Test
    void call_429DoesNotOpenCircuit() {
        AiGuard guard = guard().retry(RetryPolicy.none()).circuitBreaker(50, 1, Duration.ofSeconds(30)).build();
        AiRequest mini = AiRequest.chat("openai", "gpt-4o-mini", 10, 10);
        provider.then(Answer.status(429, Map.of("Retry-After", "1")));
        assertThatThrownBy(() -> guard.call(mini, client.ask("hi", 10))).isInstanceOf(RateLimitedException.class);
        time.advance(Duration.ofSeconds(1));

        assertThat(guard.call(mini, client.ask("hi", 10)).model()).isEqualTo("gpt-4o-mini");
    }

    @Test
    void call_slowProvider_timesOutThroughHttpClientAndChargesReservation() {
        provider.then(Answer.slow(3_000));
        AiGuard guard = guard().retry(RetryPolicy.none()).callTimeout(Duration.ofMillis(200)).build();

        assertThatThrownBy(() -> guard.call(ask(), client.ask("hi", 500)))
                .isInstanceOfSatisfying(ProviderErrorException.class, e -> assertThat(e.errorType()).isEqualTo("timeout"));
        // worst case: 1000 * 2.5 + 500 * 10 = 7500 micro-USD, charged because the provider may have worked
        assertThat(guard.budgets().get(0).spent().micros()).isEqualTo(7_500);
        assertThat(guard.budgets().get(0).reserved().micros()).isZero();
    }

    @Test
    void call_slowProviderWithExecutor_guardEnforcesTimeout() {
        provider.then(Answer.slow(3_000));
        ExecutorService executor = Executors.newCachedThreadPool();
        try {
            AiGuard guard = guard().retry(RetryPolicy.none()).callTimeout(Duration.ofMillis(200))
                    .callExecutor(executor).build();
            // This call ignores the attempt's timeout; the guard must cut it off anyway.
            AiCall<String> stubborn = attempt -> client.ask("hi", 500).call(new Attempt() {
                public String provider() { return attempt.provider(); }
                public String model() { return attempt.model(); }
                public int number() { return attempt.number(); }
                public Duration timeout() { return Duration.ofMinutes(1); }
                public void firstToken() { }
            });
            long started = System.nanoTime();

            assertThatThrownBy(() -> guard.call(ask(), stubborn))
                    .isInstanceOfSatisfying(ProviderErrorException.class, e -> assertThat(e.errorType()).isEqualTo("timeout"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void call_connectionRefused_isRetriedAsIoError() throws Exception {
        StandInProvider gone = new StandInProvider();
        String url = gone.baseUrl();
        gone.close();
        AiGuard guard = guard().build();

        assertThatThrownBy(() -> guard.call(ask(), new OpenAiLikeClient(url).ask("hi", 500)))
                .isInstanceOfSatisfying(ProviderErrorException.class, e -> assertThat(e.errorType()).isEqualTo("io"));
        assertThat(time.sleeps).hasSize(2);
    }
}
