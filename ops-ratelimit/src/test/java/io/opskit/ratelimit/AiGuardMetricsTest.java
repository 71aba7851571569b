package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.ratelimit.StandInProvider.Answer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Metrics under the OpenTelemetry GenAI names, and the provider health check. */
class AiGuardMetricsTest {

    private final FakeTime time = new FakeTime(Instant.parse("2026-11-21T10:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StandInProvider provider;
    private final OpenAiLikeClient client;

    AiGuardMetricsTest() throws Exception {
        provider = new StandInProvider();
        client = new OpenAiLikeClient(provider.baseUrl());
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    private AiGuard.Builder guard() {
        return AiGuard.builder().prices(Fixtures.prices())
                .model(ModelPolicy.builder("openai", "gpt-4o").requestsPerMinute(1).dailyBudgetUsd(0.5, 1).build())
                .model(ModelPolicy.builder("openai", "gpt-4o-mini").dailyBudgetUsd(0.5, 1).build())
                .fallback("openai/gpt-4o", "openai/gpt-4o-mini")
                .clock(time).ticker(time::nanoTime).sleeper(time.sleeper()).jitter(() -> 0.5)
                .meterRegistry(registry);
    }

    @Test
    void call_success_recordsDurationTokensCostAndBudgetRemaining() {
        provider.then(Answer.ok(1_000, 200));
        AiGuard guard = guard().build();

        guard.call(AiRequest.chat("openai", "gpt-4o", 1_000, 500), client.ask("hi", 500));

        assertThat(registry.get("gen_ai.client.operation.duration").tag("gen_ai.provider.name", "openai")
                .tag("gen_ai.request.model", "gpt-4o").tag("gen_ai.operation.name", "chat").timer().count()).isEqualTo(1);
        assertThat(registry.find("gen_ai.client.operation.duration").tagKeys("error.type").timer())
                .as("OpenTelemetry leaves error.type out on success").isNull();
        assertThat(registry.get("gen_ai.client.token.usage").tag("gen_ai.token.type", "input").summary().totalAmount())
                .isEqualTo(1_000);
        assertThat(registry.get("gen_ai.client.token.usage").tag("gen_ai.token.type", "output").summary().totalAmount())
                .isEqualTo(200);
        // 1000 * 2.5 + 200 * 10 = 4,500 micro-USD
        assertThat(registry.get("ai.cost").tag("gen_ai.request.model", "gpt-4o").counter().count()).isEqualTo(0.0045);
        assertThat(registry.get("ai.budget.remaining").tag("gen_ai.request.model", "gpt-4o").tag("period", "day")
                .gauge().value()).isEqualTo(0.9955);
        assertThat(registry.find("ai.cost").tag("tenant", "acme").counter()).isNull();
    }

    @Test
    void call_refusalsAndProviderErrors_countedByReason() {
        provider.then(Answer.status(429, Map.of("Retry-After", "5")), Answer.ok(10, 10), Answer.ok(10, 10));
        AiGuard guard = guard().build();
        AiRequest request = AiRequest.chat("openai", "gpt-4o", 10, 10);

        guard.call(request, client.ask("hi", 10)); // 429 on gpt-4o, answered by gpt-4o-mini
        time.advance(Duration.ofSeconds(5));
        guard.call(request, client.ask("hi", 10)); // pause over, but the 429 used gpt-4o's one request per minute

        assertThat(registry.get("ai.provider.errors").tag("error.type", "http_429").counter().count()).isEqualTo(1);
        assertThat(registry.get("gen_ai.client.operation.duration").tag("error.type", "http_429").timer().count())
                .isEqualTo(1);
        assertThat(registry.get("ai.requests.rejected").tag("gen_ai.request.model", "gpt-4o").tag("reason", "rate_limit").counter().count()).isEqualTo(1);
    }

    @Test
    void streamingCall_firstToken_recordsTimeToFirstChunk() {
        AiGuard guard = guard().build();

        guard.call(AiRequest.chat("openai", "gpt-4o-mini", 10, 10), attempt -> {
            time.advance(Duration.ofMillis(120));
            attempt.firstToken();
            time.advance(Duration.ofMillis(500));
            attempt.firstToken(); // only the first counts
            return ProviderReply.ok("streamed", TokenUsage.of(10, 10));
        });

        assertThat(registry.get("gen_ai.client.operation.time_to_first_chunk").timer().totalTime(TimeUnit.MILLISECONDS))
                .isEqualTo(120);
        assertThat(registry.get("gen_ai.client.operation.time_to_first_chunk").timer().count()).isEqualTo(1);
    }

    @Test
    void tenantTags_onlyWhenOptedIn() {
        AiGuard guard = guard().tenantTags(10).build();
        guard.call(AiRequest.chat("openai", "gpt-4o-mini", 10, 10).forTenant("acme"),
                a -> ProviderReply.ok("ok", TokenUsage.of(10, 10)));

        assertThat(registry.get("ai.cost").tag("tenant", "acme").counter().count()).isPositive();
        assertThat(registry.find("ai.budget.remaining").tagKeys("tenant").gauge()).as("no tenant gauges").isNull();
    }

    @Test
    void healthCheck_reportsCircuitPauseAndBudget() throws Exception {
        AiGuard guard = guard().retry(RetryPolicy.none()).circuitBreaker(50, 1, Duration.ofSeconds(30)).build();
        assertThat(guard.healthCheck("openai").check().status()).isEqualTo(HealthStatus.UP);

        provider.then(Answer.status(429, Map.of("Retry-After", "30")));
        assertThatThrownBy(() -> guard.call(AiRequest.chat("openai", "gpt-4o-mini", 10, 10), client.ask("hi", 10)))
                .isInstanceOf(RateLimitedException.class);
        HealthResult paused = guard.healthCheck("openai").check();
        assertThat(paused.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(paused.message().orElseThrow()).contains("gpt-4o-mini paused by the provider");

        provider.then(Answer.status(500, Map.of()));
        assertThatThrownBy(() -> guard.call(AiRequest.chat("openai", "gpt-4o", 10, 10), client.ask("hi", 10)))
                .isInstanceOf(ProviderErrorException.class);
        time.advance(Duration.ofSeconds(30)); // pause over, gpt-4o's circuit still open
        provider.then(Answer.status(500, Map.of()));
        assertThatThrownBy(() -> guard.call(AiRequest.chat("openai", "gpt-4o-mini", 10, 10), client.ask("hi", 10)))
                .isInstanceOf(ProviderErrorException.class);

        HealthResult down = guard.healthCheck("openai").check();
        assertThat(down.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(down.details()).containsKey("models");
        assertThat(down.details().toString()).contains("circuit=open").contains("dayBudgetRemainingUsd");
        assertThatThrownBy(() -> guard.healthCheck("anthropic")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("provider is not configured in this guard: 'anthropic'");
    }
}
