package io.opskit.ratelimit.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.opskit.ratelimit.AiLimit;
import io.opskit.ratelimit.TokenUsage;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Records the guard's measurements in a Micrometer registry under the OpenTelemetry GenAI names
 * as histograms with the semantic conventions' explicit bucket boundaries
 * ({@code gen_ai.client.operation.duration} in seconds, exported to Prometheus as
 * {@code gen_ai_client_operation_duration_seconds}; {@code gen_ai.client.token.usage} in tokens,
 * exported as {@code gen_ai_client_token_usage}; {@code gen_ai.client.operation.time_to_first_chunk})
 * and Opskit's own ({@code ai.cost}, {@code ai.budget.remaining}, {@code ai.budget.limit},
 * {@code ai.requests.rejected}, {@code ai.provider.errors}). Counters with a known label set are
 * registered at zero when the guard starts, so a rate over the first burst is not lost.
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
    /** The hard limit of a budget line, USD. */
    public static final String BUDGET_LIMIT = "ai.budget.limit";
    /** Calls refused before sending, by reason. */
    public static final String REJECTED = "ai.requests.rejected";
    /** Failed provider attempts, by error type. */
    public static final String PROVIDER_ERRORS = "ai.provider.errors";

    /** OpenTelemetry GenAI semantic conventions: gen_ai.client.operation.duration boundaries, seconds. */
    static final double[] DURATION_BUCKETS = {0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24,
            20.48, 40.96, 81.92};
    /** OpenTelemetry GenAI semantic conventions: gen_ai.client.token.usage boundaries, tokens. */
    static final double[] TOKEN_BUCKETS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304,
            16777216, 67108864};
    /** OpenTelemetry GenAI semantic conventions' time-to-first-token boundaries, seconds. */
    static final double[] FIRST_CHUNK_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
            1.0, 2.5, 5.0, 7.5, 10.0};
    /** Error types registered at zero; others appear at their first occurrence. */
    static final List<String> KNOWN_ERRORS = List.of("timeout", "io", "http_408", "http_429", "http_500", "http_502",
            "http_503", "http_504");

    private final MeterRegistry registry;

    /** @param registry where to record */
    public MicrometerGuardMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private static Tags base(Route route) {
        return Tags.of("gen_ai.provider.name", route.provider(), "gen_ai.request.model", route.model());
    }

    private Tags withTenant(Tags tags, @Nullable String tenant) {
        return tenant == null ? tags : tags.and("tenant", tenant);
    }

    @Override
    public void start(List<Route> routes, GuardContext context) {
        java.util.Set<String> reasons = new java.util.LinkedHashSet<>();
        for (AiLimit limit : AiLimit.values()) {
            if (limit != AiLimit.PROVIDER_ERROR) {
                reasons.add(limit.reason());
            }
        }
        for (Route route : routes) {
            for (String reason : reasons) {
                rejectedCounter(route, null, reason);
            }
            for (String type : KNOWN_ERRORS) {
                errorCounter(route, type);
            }
            for (BudgetLine line : route.lines()) {
                gaugeLine(line, base(route), context);
            }
        }
        for (BudgetLine line : context.fixedLines()) {
            gaugeLine(line, Tags.empty(), context);
        }
    }

    private void gaugeLine(BudgetLine line, Tags extra, GuardContext context) {
        Tags tags = extra.and("budget.level", line.level().name().toLowerCase(Locale.ROOT))
                .and("budget.scope", line.scope()).and("period", line.periodName());
        Gauge.builder(BUDGET_REMAINING, line, l -> context.remainingMicros(l) / 1_000_000d)
                .description("What is left of a hard AI cost budget in its current period (shared store: as last "
                        + "refreshed)").baseUnit("usd").tags(tags).strongReference(true).register(registry);
        Gauge.builder(BUDGET_LIMIT, line, l -> l.hardMicros() / 1_000_000d)
                .description("The hard limit of an AI cost budget per period").baseUnit("usd")
                .tags(tags).strongReference(true).register(registry);
    }

    private Counter rejectedCounter(Route route, @Nullable String tenant, String reason) {
        return Counter.builder(REJECTED).description("AI calls refused by the guard before sending")
                .tags(withTenant(base(route), tenant)).tag("reason", reason).register(registry);
    }

    private Counter errorCounter(Route route, String errorType) {
        return Counter.builder(PROVIDER_ERRORS).description("Failed AI provider attempts")
                .tags(base(route)).tag("error.type", errorType).register(registry);
    }

    @Override
    public void rejected(Route route, @Nullable String tenant, String reason) {
        rejectedCounter(route, tenant, reason).increment();
    }

    @Override
    public void providerError(Route route, String errorType) {
        errorCounter(route, errorType).increment();
    }

    @Override
    public void duration(Route route, String operation, @Nullable String errorType, long nanos) {
        Timer.Builder b = Timer.builder(DURATION).description("GenAI operation duration")
                .tags(base(route)).tag("gen_ai.operation.name", operation)
                .serviceLevelObjectives(durations(DURATION_BUCKETS));
        if (errorType != null) { // OpenTelemetry leaves error.type out on success
            b.tag("error.type", errorType);
        }
        b.register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void usage(Route route, String operation, @Nullable String tenant, TokenUsage usage, long costMicros) {
        Tags tags = base(route).and("gen_ai.operation.name", operation);
        tokens(tags, "input").record(usage.inputTokens());
        tokens(tags, "output").record(usage.outputTokens());
        Counter.builder(COST).description("Money charged for AI calls").baseUnit("usd")
                .tags(withTenant(base(route), tenant)).register(registry)
                .increment(costMicros / 1_000_000d);
    }

    private DistributionSummary tokens(Tags tags, String type) {
        // No base unit: Prometheus then names it gen_ai_client_token_usage, as the conventions do.
        return DistributionSummary.builder(TOKENS).description("Number of input and output tokens used")
                .tags(tags).tag("gen_ai.token.type", type).serviceLevelObjectives(TOKEN_BUCKETS).register(registry);
    }

    @Override
    public void timeToFirstToken(Route route, String operation, long nanos) {
        Timer.builder(FIRST_CHUNK).description("Time to receive the first chunk of a streamed response")
                .tags(base(route)).tag("gen_ai.operation.name", operation)
                .serviceLevelObjectives(durations(FIRST_CHUNK_BUCKETS))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    private static Duration[] durations(double[] seconds) {
        Duration[] out = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            out[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
        }
        return out;
    }
}
