package io.opskit.ratelimit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.ratelimit.internal.BudgetLine;
import io.opskit.ratelimit.internal.GuardContext;
import io.opskit.ratelimit.internal.Route;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The health of one provider as the guard sees it, without calling the provider: per model the
 * circuit state, any 429 pause, calls in flight and what is left of each budget (as last seen, no
 * store round trip). DOWN when every model's circuit is open; DEGRADED when a model is open or
 * half-open, paused, or out of budget. Thread-safe.
 */
final class ProviderHealthCheck implements HealthCheck {

    private final String provider;
    private final List<Route> routes;
    private final GuardContext ctx;

    ProviderHealthCheck(String provider, List<Route> routes, GuardContext ctx) {
        this.provider = provider;
        this.routes = routes;
        this.ctx = ctx;
    }

    @Override
    public HealthResult check() {
        long now = ctx.nanoTime();
        int open = 0;
        List<String> problems = new ArrayList<>();
        Map<String, Object> models = new LinkedHashMap<>();
        for (Route route : routes) {
            Map<String, Object> m = new LinkedHashMap<>();
            CircuitBreaker.State state = route.breaker().getState();
            m.put("circuit", state.name().toLowerCase(Locale.ROOT));
            if (state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN) {
                open++;
                problems.add(route.model() + " circuit open");
            } else if (state == CircuitBreaker.State.HALF_OPEN) {
                problems.add(route.model() + " circuit half-open");
            }
            long paused = route.pause().remaining(now);
            if (paused > 0) {
                m.put("pausedForMs", paused / 1_000_000);
                problems.add(route.model() + " paused by the provider");
            }
            m.put("inFlight", route.inFlight());
            m.put("waiting", route.waiting());
            m.put("maxConcurrent", route.policy().maxConcurrent());
            for (BudgetLine line : route.lines()) {
                long remaining = ctx.remainingMicros(line);
                m.put(line.periodName() + "BudgetRemainingUsd", remaining / 1_000_000d);
                if (remaining == 0) {
                    problems.add(route.model() + " " + line.periodName() + " budget spent");
                }
            }
            models.put(route.model(), m);
        }
        int pending = ctx.pendingSettlements();
        if (pending > 0) {
            problems.add(pending + " settlements wait for the budget store");
        }
        HealthStatus status = open == routes.size() ? HealthStatus.DOWN
                : problems.isEmpty() ? HealthStatus.UP : HealthStatus.DEGRADED;
        return HealthResult.builder(status)
                .message(problems.isEmpty() ? provider + " available" : provider + ": " + String.join(", ", problems))
                .detail("provider", provider)
                .detail("models", models)
                .detail("pendingSettlements", pending)
                .build();
    }
}
