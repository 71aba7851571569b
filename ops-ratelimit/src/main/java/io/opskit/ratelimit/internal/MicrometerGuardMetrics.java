package io.opskit.ratelimit.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.opskit.ratelimit.TokenUsage;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Records the guard's measurements in a Micrometer registry under the OpenTelemetry GenAI names
 * ({@code gen_ai.client.operation.duration}, {@code gen_ai.client.token.usage},
 * {@code gen_ai.client.operation.time_to_first_chunk}) and Opskit's own ({@code ai.cost},
 * {@code ai.budget.remaining}, {@code ai.requests.rejected}, {@code ai.provider.errors}).
 * The only class of the module that uses Micrometer. Thread-safe.
 */
public final class MicrometerGuardMetrics implements GuardMetrics {

    /** Duration of one provider attempt, seconds. */
    public static final String DURATION = "gen_ai.client.operation.duration";
    /** Tokens per call by {@code gen_ai.token.type}. */
    public static final String TOKENS = "gen_ai.client.token.usage";
    /** Time to the first streamed chunk, seconds. */
    public static final String FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk";
    /** Money charged, USD. */
    public static final String COST = "ai.cost";
    /** What is left of a hard budget in its current period, USD. */
    public static final String BUDGET_REMAINING = "ai.budget.remaining";
    /** Calls refused before sending, by reason. */
    public static final String REJECTED = "ai.requests.rejected";
    /** Failed provider attempts, by error type. */
    public static final String PROVIDER_ERRORS = "ai.provider.errors";

    private final MeterRegistry registry;

    /** @param registry where to record */
    public MicrometerGuardMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private static Tags base(Route route) {
        return Tags.of("gen_ai.provider.name", route.provider(), "gen_ai.request.model", route.model());
    }

    private static Tags withTenant(Tags tags, @Nullable String tenant) {
        return tenant == null ? tags : tags.and("tenant", tenant);
    }

    @Override
    public void rejected(Route route, @Nullable String tenant, String reason) {
        Counter.builder(REJECTED).description("AI calls refused by the guard before sending")
                .tags(withTenant(base(route), tenant)).tag("reason", reason).register(registry).increment();
    }

    @Override
    public void providerError(Route route, String errorType) {
        Counter.builder(PROVIDER_ERRORS).description("Failed AI provider attempts")
                .tags(base(route)).tag("error.type", errorType).register(registry).increment();
    }

    @Override
    public void duration(Route route, String operation, @Nullable String errorType, long nanos) {
        Timer.builder(DURATION).description("GenAI operation duration")
                .tags(base(route)).tag("gen_ai.operation.name", operation)
                .tag("error.type", errorType == null ? "none" : errorType)
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void usage(Route route, String operation, @Nullable String tenant, TokenUsage usage, long costMicros) {
        Tags tags = base(route).and("gen_ai.operation.name", operation);
        DistributionSummary.builder(TOKENS).description("Number of input and output tokens used").baseUnit("tokens")
                .tags(tags).tag("gen_ai.token.type", "input").register(registry).record(usage.inputTokens());
        DistributionSummary.builder(TOKENS).description("Number of input and output tokens used").baseUnit("tokens")
                .tags(tags).tag("gen_ai.token.type", "output").register(registry).record(usage.outputTokens());
        Counter.builder(COST).description("Money charged for AI calls").baseUnit("usd")
                .tags(withTenant(base(route), tenant)).register(registry).increment(costMicros / 1_000_000d);
    }

    @Override
    public void timeToFirstToken(Route route, String operation, long nanos) {
        Timer.builder(FIRST_CHUNK).description("Time to receive the first chunk of a streamed response")
                .tags(base(route)).tag("gen_ai.operation.name", operation)
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void budgetLine(Route route, @Nullable String tenant, BudgetLine line) {
        Gauge.builder(BUDGET_REMAINING, route, r -> r.remainingMicros(line) / 1_000_000d)
                .description("What is left of a hard AI cost budget in its current period").baseUnit("usd")
                .tags(withTenant(base(route), tenant)).tag("period", line.periodName())
                .strongReference(true).register(registry);
    }
}
