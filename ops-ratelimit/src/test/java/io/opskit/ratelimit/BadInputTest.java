package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every bad value is refused at once with a message naming the field and the value. */
class BadInputTest {

    @Test
    void modelPolicy_negativeLimits_nameTheField() {
        ModelPolicy.Builder b = ModelPolicy.builder("openai", "gpt-4o");
        assertThatThrownBy(() -> b.requestsPerMinute(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("requestsPerMinute must be positive: -1");
        assertThatThrownBy(() -> b.tokensPerMinute(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("tokensPerMinute must be positive: 0");
        assertThatThrownBy(() -> b.maxConcurrent(-3, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxConcurrent must be 1 to 4096: -3");
        assertThatThrownBy(() -> b.maxConcurrent(3, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxWait must be 0 to 1 h: PT-1S");
        assertThatThrownBy(() -> b.dailyBudgetUsd(50, -100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("daily hard limit must be at least $0.000001: -100.0");
        assertThatThrownBy(() -> b.monthlyBudgetUsd(200, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("monthly soft limit must not exceed the hard limit: $200.00 > $100.00");
        assertThatThrownBy(() -> b.contextWindow(-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("contextWindow must be positive: -5");
    }

    @Test
    void request_negativeTokens_nameTheField() {
        assertThatThrownBy(() -> AiRequest.chat("openai", "gpt-4o", -1, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("inputTokens must not be negative: -1");
        assertThatThrownBy(() -> AiRequest.chat("openai", "gpt-4o", 1, -10))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxOutputTokens must not be negative: -10");
        assertThatThrownBy(() -> new TokenUsage(10, 20, 5, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cachedInputTokens must not exceed inputTokens: 20 > 10");
    }

    @Test
    void names_tooLongOrWithSlash_nameTheField() {
        assertThatThrownBy(() -> ModelPolicy.builder("x".repeat(41), "gpt-4o"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("provider must be 1 to 40 printable characters without '/'");
        assertThatThrownBy(() -> AiRequest.chat("openai", "gpt-4o", 1, 1).forTenant("acme/eu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tenant must be 1 to 64 printable characters without '/': 'acme/eu'");
    }

    @Test
    void build_modelMissingFromPriceTable_failsClosed() {
        assertThatThrownBy(() -> AiGuard.builder().prices(Fixtures.prices())
                .model(ModelPolicy.builder("openai", "gpt-5").build()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model has no price in the price table (version test-2026-11): 'openai/gpt-5'");
    }

    @Test
    void build_unpricedModelWithBudget_refusedEvenWhenUnpricedAllowed() {
        assertThatThrownBy(() -> AiGuard.builder().prices(Fixtures.prices()).allowUnpricedModels(true)
                .model(ModelPolicy.builder("openai", "gpt-5").dailyBudgetUsd(1, 2).build()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a cost budget needs a price");
    }

    @Test
    void call_unknownModel_namesItAndTheConfiguredOnes() {
        AiGuard guard = AiGuard.builder().prices(Fixtures.prices())
                .model(ModelPolicy.builder("openai", "gpt-4o").build()).build();
        assertThatThrownBy(() -> guard.call(AiRequest.chat("openai", "o3", 1, 1),
                a -> ProviderReply.ok("x", TokenUsage.of(1, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model is not configured in this guard: 'openai/o3' (configured: [openai/gpt-4o])");
    }

    @Test
    void call_estimateLargerThanWholeBudget_namesTheField() {
        AiGuard guard = AiGuard.builder().prices(Fixtures.prices())
                .model(ModelPolicy.builder("openai", "gpt-4o").dailyBudgetUsd(0.5, 1).build()).build();
        // 200,000 output tokens at 10 USD per million = 2 USD > the whole 1 USD day
        assertThatThrownBy(() -> guard.call(AiRequest.chat("openai", "gpt-4o", 0, 200_000),
                a -> ProviderReply.ok("x", TokenUsage.of(1, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxOutputTokens: the estimate's worst-case cost of $2.00 (inputTokens=0, "
                        + "maxOutputTokens=200000) exceeds the whole budget of $1.00 of openai/gpt-4o");
    }

    @Test
    void builder_badSettings_nameTheField() {
        AiGuard.Builder b = AiGuard.builder();
        assertThatThrownBy(() -> b.callTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("callTimeout must be positive: PT0S");
        assertThatThrownBy(() -> b.circuitBreaker(0, 5, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("failureRatePercent must be in (0, 100]: 0.0");
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts must be 1 to 20: 0");
        assertThatThrownBy(() -> AiGuard.builder().prices(Fixtures.prices())
                .model(ModelPolicy.builder("openai", "gpt-4o").build())
                .fallback("openai/gpt-4o", "openai/gpt-4o-mini").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fallback names an unconfigured model: 'openai/gpt-4o-mini'");
        assertThatThrownBy(() -> AiGuard.builder().prices(Fixtures.prices())
                .model(ModelPolicy.builder("openai", "gpt-4o").build())
                .callTimeout(Duration.ofMinutes(5)).leaseTime(Duration.ofMinutes(1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseTime must be longer than callTimeout (PT5M): PT1M");
        assertThatThrownBy(() -> AiGuard.builder().model(ModelPolicy.builder("openai", "gpt-4o").build()).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("prices is required");
    }
}
