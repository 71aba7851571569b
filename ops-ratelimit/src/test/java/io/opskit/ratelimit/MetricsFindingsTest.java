package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opskit.api.Usd;
import io.opskit.ratelimit.budget.InMemoryBudgetStore;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Finding 8: the metrics, read as an operator's Prometheus would. */
class MetricsFindingsTest {

    private final FakeTime time = new FakeTime(Instant.parse("2026-11-21T10:00:00Z"));

    private AiGuard.Builder guard(MeterRegistry registry) {
        return AiGuard.builder().prices(Fixtures.prices())
                .model(ModelPolicy.builder("openai", "gpt-4o").dailyBudgetUsd(50, 100).build())
                .clock(time).ticker(time::nanoTime).sleeper(time.sleeper()).jitter(() -> 0.5)
                .meterRegistry(registry);
    }

    @Test
    void finding8_durationAndTokensAreSummariesWithoutBuckets_nowHistogramsWithSemconvBoundaries() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (AiGuard guard = guard(prometheus).build()) {
            guard.call(AiRequest.chat("openai", "gpt-4o", 100, 100), a -> {
                time.advance(Duration.ofMillis(1_500));
                return ProviderReply.ok("ok", TokenUsage.of(100, 50));
            });
        }
        String scrape = prometheus.scrape();
        assertThat(scrape).contains("gen_ai_client_operation_duration_seconds_bucket{")
                .contains("le=\"0.01\"").contains("le=\"81.92\"")
                .contains("gen_ai_client_token_usage_bucket{").contains("le=\"6.7108864E7\"")
                .doesNotContain("gen_ai_client_token_usage_tokens")
                .doesNotContain("error_type=\"none\"");
        assertThat(scrape).containsPattern("gen_ai_client_operation_duration_seconds_bucket\\{[^}]*le=\"2\\.56\"[^}]*} 1");
        assertThat(scrape).containsPattern("gen_ai_client_operation_duration_seconds_bucket\\{[^}]*le=\"1\\.28\"[^}]*} 0");
    }

    @Test
    void finding8_rejectedAndErrorCountersAppearOnlyAtTheirFirstIncrement_nowRegisteredAtZero() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (AiGuard guard = guard(prometheus).build()) {
            String scrape = prometheus.scrape();
            assertThat(scrape).containsPattern("ai_requests_rejected_total\\{[^}]*reason=\"budget\"[^}]*} 0\\.0")
                    .containsPattern("ai_requests_rejected_total\\{[^}]*reason=\"rate_limit\"[^}]*} 0\\.0")
                    .containsPattern("ai_provider_errors_total\\{[^}]*error_type=\"http_503\"[^}]*} 0\\.0")
                    .containsPattern("ai_budget_limit_usd\\{[^}]*budget_scope=\"openai/gpt-4o/day\"[^}]*} 100\\.0");
        }
    }

    @Test
    void finding8_budgetRemainingShowsWhatThisReplicaLastSaw_nowRefreshedFromTheSharedStore() throws Exception {
        InMemoryBudgetStore store = InMemoryBudgetStore.create();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        PrometheusMeterRegistry seen = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (AiGuard spender = guard(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).budgetStore(store)
                     .build();
             AiGuard watcher = guard(seen).budgetStore(store).scheduler(scheduler)
                     .budgetRefreshInterval(Duration.ofMillis(50)).build()) {
            spender.acquire(AiRequest.chat("openai", "gpt-4o", 0, 1_000_000)).complete(TokenUsage.of(0, 1_000_000));
            double remaining = 100;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a failure guard
            while (remaining == 100 && System.nanoTime() < deadline) {
                remaining = seen.get("ai.budget.remaining").tag("budget.scope", "openai/gpt-4o/day").gauge().value();
                Thread.onSpinWait();
            }
            assertThat(remaining).as("the other replica's $10 is seen").isEqualTo(90.0);
            assertThat(watcher.budgets().get(0).spent()).isEqualTo(Usd.parse("10"));
        } finally {
            scheduler.shutdownNow();
        }
    }
}
