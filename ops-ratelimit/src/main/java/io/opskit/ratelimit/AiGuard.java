package io.opskit.ratelimit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.opskit.api.Ticker;
import io.opskit.api.Usd;
import io.opskit.api.budget.BudgetStore;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.internal.Checks;
import io.opskit.api.notify.Notifier;
import io.opskit.ratelimit.internal.Admit;
import io.opskit.ratelimit.internal.AttemptPlanner;
import io.opskit.ratelimit.internal.BudgetLine;
import io.opskit.ratelimit.internal.GuardContext;
import io.opskit.ratelimit.internal.GuardMetrics;
import io.opskit.ratelimit.internal.Lease;
import io.opskit.ratelimit.internal.MicrometerGuardMetrics;
import io.opskit.ratelimit.internal.Pause;
import io.opskit.ratelimit.internal.Route;
import io.opskit.ratelimit.internal.Settlement;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards calls to paid AI providers: per model, requests and tokens per minute, concurrent calls
 * and USD cost budgets are enforced together before a call is sent; the worst-case cost is reserved
 * on every budget line that applies (the app's, the provider's, the model's and the tenant's) and
 * reconciled to the real cost afterwards. A provider's 429 pauses the model for every thread until
 * its {@code Retry-After}; server errors and timeouts are retried with backoff under one retry budget
 * and trip a circuit breaker; a fallback model (gpt-4o → gpt-4o-mini) is tried when the first
 * refuses. The guard makes no HTTP call of its own: the host's {@link AiCall} does.
 *
 * <pre>{@code
 * try (AiGuard guard = AiGuard.builder()
 *         .prices(PriceTable.fromJson(json))
 *         .model(ModelPolicy.builder("openai", "gpt-4o").requestsPerMinute(500).tokensPerMinute(30_000)
 *                 .maxConcurrent(3, Duration.ofSeconds(2)).dailyBudgetUsd(50, 100).build())
 *         .model(ModelPolicy.builder("openai", "gpt-4o-mini").dailyBudgetUsd(20, 40).build())
 *         .fallback("openai/gpt-4o", "openai/gpt-4o-mini")
 *         .appBudget(BudgetLimits.daily(Usd.parse("80"), Usd.parse("100")))
 *         .build()) {
 *     AiResult<String> r = guard.call(AiRequest.chat("openai", "gpt-4o", 900, 400), attempt -> ...);
 * }
 * }</pre>
 *
 * <p>Start with {@link #builder()}. Thread-safe: build one guard per application, share it, and
 * {@link #close()} it on shutdown.
 */
public final class AiGuard implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AiGuard.class);

    private final List<Route> routes;
    private final Map<String, Route> byName;
    private final Map<String, Map<String, Route>> byProvider;
    private final Map<Route, Route[]> chains = new HashMap<>();
    private final Map<Route, List<String>> chainNames = new HashMap<>();
    private final GuardContext ctx;
    private final RetryPolicy retry;
    private final Duration callTimeout;
    private final Duration openFor;
    private final Sleeper sleeper;
    private final DoubleSupplier jitter;
    private final @Nullable Executor callExecutor;
    private final PriceTable prices;
    private final Map<String, AtomicLong> openedAtMillis = new HashMap<>();
    private final @Nullable ScheduledExecutorService ownScheduler;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean refreshWarned = new AtomicBoolean();

    private AiGuard(Builder b, PriceTable prices, Clock clock, Ticker ticker) {
        this.prices = prices;
        this.retry = b.retry == null ? RetryPolicy.defaults() : b.retry;
        this.callTimeout = b.callTimeout == null ? Duration.ofSeconds(60) : b.callTimeout;
        this.openFor = b.openFor;
        this.sleeper = b.sleeper == null ? Sleeper.threadSleep() : b.sleeper;
        this.jitter = b.jitter == null ? () -> ThreadLocalRandom.current().nextDouble() : b.jitter;
        this.callExecutor = b.callExecutor;
        Duration lease = b.leaseTime == null ? Duration.ofMinutes(10) : b.leaseTime;
        GuardMetrics metrics = b.registry == null ? GuardMetrics.NONE : new MicrometerGuardMetrics(b.registry);
        this.ctx = new GuardContext(clock, ticker, b.zone == null ? ZoneId.of("UTC") : b.zone, b.store,
                b.settlementBacklog, lease.toNanos(), b.notifiers, metrics, b.tenantTags, b.appBudget,
                b.providerBudgets, b.tenantBudget, b.maxTenants, UUID.randomUUID().toString());
        CircuitBreakerConfig breakerConfig = CircuitBreakerConfig.custom()
                .failureRateThreshold(b.failureRatePercent)
                .slidingWindow(Math.max(b.minimumCalls, 20), b.minimumCalls,
                        CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .waitDurationInOpenState(b.openFor)
                .permittedNumberOfCallsInHalfOpenState(1)
                .clock(clock)
                .build();
        Map<String, Pause> providerPauses = new HashMap<>();
        List<Route> list = new ArrayList<>();
        Map<String, Route> names = new LinkedHashMap<>();
        for (ModelPolicy policy : b.models.values()) {
            ModelPrice price = prices.price(policy.provider(), policy.model()).orElse(null);
            CircuitBreaker breaker = CircuitBreaker.of(policy.route(), breakerConfig);
            AtomicLong openedAt = new AtomicLong();
            openedAtMillis.put(policy.route(), openedAt);
            breaker.getEventPublisher().onStateTransition(e -> {
                if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                    openedAt.set(clock.millis());
                    log.warn("{}: circuit breaker opened after server errors or timeouts; calls refused for {} s",
                            policy.route(), b.openFor.toSeconds());
                } else if (e.getStateTransition().getToState() == CircuitBreaker.State.CLOSED) {
                    log.info("{}: circuit breaker closed again", policy.route());
                }
            });
            Pause pause = b.pauseWholeProvider
                    ? providerPauses.computeIfAbsent(policy.provider(), p -> new Pause()) : new Pause();
            Route route = new Route(list.size(), policy, price, ctx, breaker, pause);
            list.add(route);
            names.put(policy.route(), route);
        }
        this.routes = List.copyOf(list);
        this.byName = Map.copyOf(names);
        Map<String, Map<String, Route>> providers = new HashMap<>();
        for (Route route : list) {
            providers.computeIfAbsent(route.provider(), p -> new HashMap<>()).put(route.model(), route);
        }
        providers.replaceAll((p, m) -> Map.copyOf(m));
        this.byProvider = Map.copyOf(providers);
        for (Route route : list) {
            List<Route> chain = new ArrayList<>();
            for (String at = route.name(); at != null && chain.size() <= list.size(); at = b.fallbacks.get(at)) {
                chain.add(names.get(at));
            }
            chains.put(route, chain.toArray(new Route[0]));
            chainNames.put(route, chain.stream().map(Route::name).toList());
        }
        metrics.start(routes, ctx);
        ScheduledExecutorService scheduler = b.scheduler;
        boolean needsTimers = b.store != null;
        if (scheduler == null && needsTimers) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "opskit-ai-guard");
                t.setDaemon(true);
                return t;
            });
            this.ownScheduler = scheduler;
        } else {
            this.ownScheduler = null;
        }
        if (scheduler != null) {
            long every = b.settlementRetry.toNanos();
            tasks.add(scheduler.scheduleWithFixedDelay(this::maintain, every, every, TimeUnit.NANOSECONDS));
            if (b.store != null && b.registry != null) {
                long refresh = b.budgetRefresh.toNanos();
                tasks.add(scheduler.scheduleWithFixedDelay(this::refreshBudgets, 0, refresh, TimeUnit.NANOSECONDS));
            }
        }
        log.info("AI guard started: models {}, prices version {} as of {}, budgets {} in zone {}",
                names.keySet(), prices.version(), prices.asOf(), b.store == null ? "in memory" : "in a shared store",
                b.zone == null ? "UTC" : b.zone);
    }

    /** Starts configuring a guard. */
    public static Builder builder() {
        return new Builder();
    }

    /** The price table the guard charges with. */
    public PriceTable prices() {
        return prices;
    }

    /**
     * Runs one guarded call: admits it on the requested model (or the first fallback that admits it),
     * sends it through {@code call}, honours 429 pauses, retries server errors and timeouts with
     * backoff under the retry budget, and charges the real cost. A caller that finds every place of
     * the chain taken parks for a place (one wait budget, the first model's {@code maxWait}, for the
     * whole chain).
     *
     * @return the host's value with the model that answered, its usage and cost
     * @throws BudgetExceededException         when every model of the chain is over a hard budget line
     * @throws RateLimitedException            when rate limits or provider pauses refuse and do not clear
     *                                         within the retry budget
     * @throws ConcurrencyFullException        when the chain stays full for the wait budget
     * @throws CircuitOpenException            when the breakers of the chain are open
     * @throws ProviderErrorException          when the provider keeps failing, or fails with a client error
     * @throws BudgetStoreUnavailableException when the shared budget store cannot decide
     * @throws TenantLimitException            when the tenant is new and the guard tracks maxTenants busy ones
     * @throws ContextWindowException          when no model of the chain has a window for the request
     * @throws IllegalArgumentException        when the model is not configured, or the estimate's worst-case
     *                                         cost exceeds the whole budget of every model in the chain
     * @throws IllegalStateException           when the guard is closed
     */
    public <T> AiResult<T> call(AiRequest request, AiCall<T> call) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(call, "call");
        checkOpen();
        Route first = route(request.provider(), request.model());
        Route[] chain = Objects.requireNonNull(chains.get(first), "every route has a chain");
        List<String> names = Objects.requireNonNull(chainNames.get(first), "every route has a chain");
        checkFitsSomewhere(request, chain);
        AttemptPlanner plan = new AttemptPlanner(chain, retry, jitter, ctx.nanoTime(),
                first.policy().maxWait().toNanos());
        for (;;) {
            AttemptPlanner.Step step = plan.next(ctx.nanoTime());
            if (step instanceof AttemptPlanner.GiveUp g) {
                throw g.error();
            }
            if (step instanceof AttemptPlanner.Wait w) {
                try {
                    sleeper.sleep(w.duration());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ProviderErrorException(first.provider(), first.model(), names, "interrupted",
                            "the calling thread was interrupted while waiting to retry", e);
                }
                continue;
            }
            AttemptPlanner.Try t = (AttemptPlanner.Try) step;
            Route route = t.route();
            Optional<Lease> lease = admit(route, request, t.waitNanos(), names, plan);
            if (lease.isEmpty()) {
                continue;
            }
            plan.sent();
            AiResult<T> result = attempt(route, lease.get(), request, call, plan, names);
            if (result != null) {
                return result;
            }
        }
    }

    private Optional<Lease> admit(Route route, AiRequest request, long waitNanos, List<String> names,
                                  AttemptPlanner plan) {
        if (!route.breaker().tryAcquirePermission()) {
            AiGuardException refused = new CircuitOpenException(route.provider(), route.model(), names,
                    untilHalfOpen(route));
            ctx.metrics().rejected(route, tenantTag(request), refused.reason());
            plan.refused(route, waitNanos, refused);
            return Optional.empty();
        }
        Admit admit = route.admit(request, waitNanos, names);
        if (admit instanceof Admit.Refused r) {
            route.breaker().releasePermission();
            ctx.metrics().rejected(route, tenantTag(request), r.refusal().reason());
            plan.refused(route, waitNanos, r.refusal());
            return Optional.empty();
        }
        return Optional.of(((Admit.Admitted) admit).lease());
    }

    private void checkFitsSomewhere(AiRequest request, Route[] chain) {
        Route tightest = null;
        long tightestWorst = 0;
        for (Route route : chain) {
            long hard = route.smallestHardLimitMicros();
            long worst = route.worstCaseMicros(request.inputTokens(), request.maxOutputTokens());
            if (hard == 0 || worst <= hard) {
                return;
            }
            if (tightest == null) {
                tightest = route;
                tightestWorst = worst;
            }
        }
        if (tightest != null) {
            throw new IllegalArgumentException("maxOutputTokens: the estimate's worst-case cost of "
                    + Usd.ofMicros(tightestWorst) + " (inputTokens=" + request.inputTokens() + ", maxOutputTokens="
                    + request.maxOutputTokens() + ") exceeds the whole budget of "
                    + Usd.ofMicros(tightest.smallestHardLimitMicros()) + " of " + tightest.name()
                    + (chain.length > 1 ? " and of every fallback" : ""));
        }
    }

    private @Nullable String tenantTag(AiRequest request) {
        return ctx.tenantTag(request.tenant().orElse(null));
    }

    private List<String> chainOf(Route route) {
        return Objects.requireNonNull(chainNames.get(route), "every route has a chain");
    }

    private @Nullable Duration untilHalfOpen(Route route) {
        long openedAt = Objects.requireNonNull(openedAtMillis.get(route.name()), "every route has a breaker").get();
        if (openedAt == 0) {
            return null;
        }
        long left = openedAt + openFor.toMillis() - ctx.clock().millis();
        return Duration.ofMillis(Math.max(0, left));
    }

    private final class GuardAttempt implements Attempt {
        private final Route route;
        private final int number;
        private final Duration timeout;
        private final long startNanos;
        private final String operation;
        private volatile boolean firstTokenSeen;

        GuardAttempt(Route route, int number, Duration timeout, long startNanos, String operation) {
            this.route = route;
            this.number = number;
            this.timeout = timeout;
            this.startNanos = startNanos;
            this.operation = operation;
        }

        @Override
        public String provider() {
            return route.provider();
        }

        @Override
        public String model() {
            return route.model();
        }

        @Override
        public int number() {
            return number;
        }

        @Override
        public Duration timeout() {
            return timeout;
        }

        @Override
        public void firstToken() {
            if (!firstTokenSeen) {
                firstTokenSeen = true;
                ctx.metrics().timeToFirstToken(route, operation, ctx.nanoTime() - startNanos);
            }
        }
    }

    /**
     * Sends one attempt and settles its lease in {@code finally}, whatever happens.
     *
     * @return the result on success, or null when the plan goes on (the outcome was told to it)
     */
    private <T> @Nullable AiResult<T> attempt(Route route, Lease lease, AiRequest request, AiCall<T> call,
                                              AttemptPlanner plan, List<String> names) {
        long start = ctx.nanoTime();
        long timeoutNanos = Math.max(1, Math.min(callTimeout.toNanos(), plan.deadline() - start));
        GuardAttempt attempt = new GuardAttempt(route, plan.attempts(), Duration.ofNanos(timeoutNanos), start,
                request.operation());
        CircuitBreaker breaker = route.breaker();
        Settlement settlement = Settlement.UNSENT; // the host's own code failed before or while sending
        boolean breakerDone = false;
        try {
            ProviderReply<T> reply;
            try {
                reply = invoke(call, attempt, timeoutNanos);
                if (reply == null) {
                    throw new NullPointerException("the AiCall returned null for " + route.name());
                }
            } catch (Exception thrown) {
                long elapsed = ctx.nanoTime() - start;
                String type = errorType(thrown);
                if (type == null) { // the host's own code failed: not the provider's fault, not retried
                    if (thrown instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        breaker.releasePermission();
                        breakerDone = true;
                        throw new ProviderErrorException(route.provider(), route.model(), names, "interrupted",
                                "the calling thread was interrupted", thrown);
                    }
                    throw thrown instanceof RuntimeException re ? re : new IllegalStateException(thrown);
                }
                ProviderErrorException failure = new ProviderErrorException(route.provider(), route.model(), names,
                        type, thrown.getClass().getSimpleName(), thrown);
                breaker.onError(elapsed, TimeUnit.NANOSECONDS, failure);
                breakerDone = true;
                // A timeout may have done the work: charge the reservation. An I/O error was probably sent.
                settlement = "timeout".equals(type) ? Settlement.CHARGE_RESERVED : Settlement.SENT_FREE;
                ctx.metrics().providerError(route, type);
                ctx.metrics().duration(route, request.operation(), type, elapsed);
                giveUpIfFinal(plan.failed(failure, true, null));
                return null;
            }
            long elapsed = ctx.nanoTime() - start;
            if (reply.isOk()) {
                breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                breakerDone = true;
                TokenUsage usage = reply.usage().orElseThrow();
                settlement = Settlement.completed(usage);
                Usd cost = lease.complete(usage); // settles now, so the result carries the real charge
                settlement = null;
                ctx.metrics().duration(route, request.operation(), null, elapsed);
                return new AiResult<>(reply.value().orElseThrow(), route.provider(), route.model(), usage,
                        cost, plan.attempts());
            }
            int status = reply.status();
            String type = "http_" + status;
            settlement = Settlement.SENT_FREE;
            ctx.metrics().providerError(route, type);
            ctx.metrics().duration(route, request.operation(), type, elapsed);
            if (status == 429) {
                // Resilience4j's breaker knows success and failure only; a 429 is neither (the provider is
                // healthy and asked us to slow down), so the permission goes back unrecorded and the
                // model is paused instead.
                breaker.releasePermission();
                breakerDone = true;
                Duration wait = RetryAfter.parse(reply.headers(), ctx.clock().instant()).orElse(retry.initialBackoff());
                route.pause().until(ctx.nanoTime() + wait.toNanos());
                log.debug("{}: provider answered 429; paused for {} ms", route.name(), wait.toMillis());
                plan.paused(new RateLimitedException(route.provider(), route.model(), AiLimit.PROVIDER_RETRY_AFTER,
                        names, wait));
                return null;
            }
            ProviderErrorException failure = new ProviderErrorException(route.provider(), route.model(), names, type,
                    "HTTP " + status, null);
            boolean retryable = status >= 500 || status == 408;
            if (retryable) {
                breaker.onError(elapsed, TimeUnit.NANOSECONDS, failure);
            } else {
                breaker.releasePermission(); // a client error says nothing about the provider's health
            }
            breakerDone = true;
            Duration retryAfter = status == 503
                    ? RetryAfter.parse(reply.headers(), ctx.clock().instant()).orElse(null) : null;
            giveUpIfFinal(plan.failed(failure, retryable, retryAfter));
            return null;
        } finally {
            if (!breakerDone) {
                breaker.releasePermission();
            }
            if (settlement != null) {
                route.settle(lease, settlement);
            }
        }
    }

    private static void giveUpIfFinal(AttemptPlanner.@Nullable GiveUp giveUp) {
        if (giveUp != null) {
            throw giveUp.error();
        }
    }

    private <T> @Nullable ProviderReply<T> invoke(AiCall<T> call, Attempt attempt, long timeoutNanos)
            throws Exception {
        Executor executor = callExecutor;
        if (executor == null) {
            return call.call(attempt);
        }
        FutureTask<ProviderReply<T>> task = new FutureTask<>(() -> call.call(attempt));
        executor.execute(task);
        try {
            return task.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof Exception ex ? ex : new IllegalStateException(cause);
        }
    }

    private static @Nullable String errorType(Throwable t) {
        if (t instanceof HttpTimeoutException || t instanceof TimeoutException
                || t instanceof InterruptedIOException) {
            return "timeout";
        }
        if (t instanceof IOException) {
            return "io";
        }
        return null;
    }

    /**
     * Admits one call without sending it, for hosts that drive the provider call themselves (a
     * stream, say): checks the pause, the per-minute windows, a place (parking up to the model's
     * {@code maxWait}) and reserves the worst-case cost on every budget line, without retry,
     * circuit breaking or fallback. End the permit with {@link AiPermit#complete} or
     * {@link AiPermit#release}.
     *
     * @return the permit
     * @throws AiGuardException         the refusal: {@link RateLimitedException}, {@link ConcurrencyFullException},
     *                                  {@link BudgetExceededException}, {@link BudgetStoreUnavailableException},
     *                                  {@link TenantLimitException} or {@link ContextWindowException}
     * @throws IllegalArgumentException when the model is not configured
     * @throws IllegalStateException    when the guard is closed
     */
    public AiPermit acquire(AiRequest request) {
        Objects.requireNonNull(request, "request");
        checkOpen();
        Route route = route(request.provider(), request.model());
        Admit admit = route.admit(request, route.policy().maxWait().toNanos(), chainOf(route));
        if (admit instanceof Admit.Refused r) {
            ctx.metrics().rejected(route, tenantTag(request), r.refusal().reason());
            throw r.refusal();
        }
        return ((Admit.Admitted) admit).lease();
    }

    /**
     * Admits one call if every limit has room right now, without waiting and without an exception:
     * for hosts that shed load. Same checks as {@link #acquire}.
     *
     * @return the permit, or empty when any limit refused (counted in {@code ai.requests.rejected})
     * @throws IllegalArgumentException when the model is not configured
     * @throws IllegalStateException    when the guard is closed
     */
    public Optional<AiPermit> tryAcquire(AiRequest request) {
        Objects.requireNonNull(request, "request");
        checkOpen();
        Route route = route(request.provider(), request.model());
        Admit admit = route.admit(request, 0, chainOf(route));
        if (admit instanceof Admit.Refused r) {
            ctx.metrics().rejected(route, tenantTag(request), r.refusal().reason());
            return Optional.empty();
        }
        return Optional.of(((Admit.Admitted) admit).lease());
    }

    private Route route(String provider, String model) {
        Map<String, Route> models = byProvider.get(provider);
        Route route = models == null ? null : models.get(model);
        if (route == null) {
            throw new IllegalArgumentException("model is not configured in this guard: '" + provider + "/" + model
                    + "' (configured: " + byName.keySet() + ")");
        }
        return route;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the AI guard is closed");
        }
    }

    /**
     * Every cost budget line (the app's, providers', models' and tracked tenants') in its current
     * period. With a shared store each line is read from it.
     *
     * @throws io.opskit.api.budget.BudgetStoreException when the shared store cannot be read
     */
    public List<BudgetStatus> budgets() {
        long now = ctx.nanoTime();
        for (Route route : routes) {
            route.sweepExpired(now); // an expired lease no longer holds its reservation
        }
        List<BudgetLine> all = new ArrayList<>(ctx.fixedLines());
        for (Route route : routes) {
            all.addAll(route.lines());
        }
        all.addAll(ctx.tenantLines());
        List<BudgetStatus> out = new ArrayList<>();
        for (BudgetLine line : all) {
            ctx.refresh(line);
            out.add(new BudgetStatus(line.level().name().toLowerCase(Locale.ROOT), line.scope(), ctx.period(line),
                    Usd.ofMicros(ctx.spentMicros(line)), Usd.ofMicros(ctx.reservedMicros(line)),
                    Usd.ofMicros(line.softMicros()), Usd.ofMicros(line.hardMicros())));
        }
        return out;
    }

    /** Settlements (reconciles, releases, late charges) waiting for the shared budget store; 0 without one. */
    public int pendingSettlements() {
        return ctx.pendingSettlements();
    }

    /**
     * Tries once more to deliver the settlements that wait for the shared store (the guard also does
     * so on its own schedule).
     *
     * @return how many still wait
     */
    public int flushSettlements() {
        return ctx.deliverPending();
    }

    /**
     * A health check for one provider: DOWN when every model's circuit is open, DEGRADED when one
     * is open or half-open, paused by a 429, out of budget, or settlements wait for the store; UP
     * otherwise; details per model.
     *
     * @throws IllegalArgumentException when no model of the provider is configured
     */
    public HealthCheck healthCheck(String provider) {
        Objects.requireNonNull(provider, "provider");
        List<Route> of = new ArrayList<>();
        for (Route route : routes) {
            if (route.provider().equals(provider)) {
                of.add(route);
            }
        }
        if (of.isEmpty()) {
            throw new IllegalArgumentException("provider is not configured in this guard: '" + provider + "'");
        }
        return new ProviderHealthCheck(provider, List.copyOf(of), ctx);
    }

    private void maintain() {
        try {
            long now = ctx.nanoTime();
            for (Route route : routes) {
                route.sweepExpired(now);
            }
            ctx.deliverPending();
        } catch (RuntimeException e) {
            log.warn("AI guard maintenance failed: {}", e.toString());
        }
    }

    private void refreshBudgets() {
        List<BudgetLine> all = new ArrayList<>(ctx.fixedLines());
        for (Route route : routes) {
            all.addAll(route.lines());
        }
        try {
            for (BudgetLine line : all) {
                ctx.refresh(line);
            }
            refreshWarned.set(false);
        } catch (RuntimeException e) {
            if (refreshWarned.compareAndSet(false, true)) {
                log.warn("AI guard could not refresh budgets from the store; gauges show the last figures: {}",
                        e.toString());
            }
        }
    }

    /**
     * Stops the guard's timers, delivers what settlements it can to the shared store, and refuses
     * new calls. Idempotent; a given scheduler is not shut down.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        tasks.forEach(t -> t.cancel(false));
        if (ownScheduler != null) {
            ownScheduler.shutdownNow();
        }
        ctx.close();
        log.info("AI guard closed");
    }

    /** Configures an {@link AiGuard}. Setters validate at once; not thread-safe. */
    public static final class Builder {
        private @Nullable PriceTable prices;
        private final Map<String, ModelPolicy> models = new LinkedHashMap<>();
        private final Map<String, String> fallbacks = new HashMap<>();
        private @Nullable BudgetStore store;
        private @Nullable ZoneId zone;
        private @Nullable Clock clock;
        private @Nullable Ticker ticker;
        private @Nullable Sleeper sleeper;
        private @Nullable DoubleSupplier jitter;
        private @Nullable MeterRegistry registry;
        private int tenantTags;
        private boolean tenantTagsSet;
        private final List<Notifier> notifiers = new ArrayList<>();
        private @Nullable RetryPolicy retry;
        private @Nullable Duration callTimeout;
        private @Nullable Duration leaseTime;
        private float failureRatePercent = 50;
        private int minimumCalls = 10;
        private Duration openFor = Duration.ofSeconds(30);
        private boolean breakerSet;
        private boolean pauseWholeProvider;
        private boolean allowUnpricedModels;
        private @Nullable Executor callExecutor;
        private @Nullable ScheduledExecutorService scheduler;
        private @Nullable BudgetLimits appBudget;
        private final Map<String, BudgetLimits> providerBudgets = new HashMap<>();
        private @Nullable BudgetLimits tenantBudget;
        private int maxTenants = 10_000;
        private boolean maxTenantsSet;
        private int settlementBacklog = 10_000;
        private boolean settlementBacklogSet;
        private Duration settlementRetry = Duration.ofSeconds(1);
        private boolean settlementRetrySet;
        private Duration budgetRefresh = Duration.ofSeconds(30);
        private boolean budgetRefreshSet;

        private Builder() {
        }

        /**
         * The price table (required).
         *
         * @throws IllegalStateException when set already
         */
        public Builder prices(PriceTable value) {
            this.prices = Checks.setOnce(this.prices, value, "prices");
            return this;
        }

        /**
         * Adds a model and its limits.
         *
         * @throws IllegalArgumentException when the model was added already
         */
        public Builder model(ModelPolicy policy) {
            Objects.requireNonNull(policy, "policy");
            if (models.putIfAbsent(policy.route(), policy) != null) {
                throw new IllegalArgumentException("model is configured twice: " + policy.route());
            }
            return this;
        }

        /**
         * When {@code from} refuses (rate-limited, paused, circuit open, over budget, full, or its
         * context window is too small), try {@code to}. Chains may be longer ({@code a → b → c}).
         *
         * @param from {@code provider/model}
         * @param to   {@code provider/model}
         * @throws IllegalArgumentException when {@code from} equals {@code to}
         * @throws IllegalStateException    when {@code from} has a fallback already
         */
        public Builder fallback(String from, String to) {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            if (from.equals(to)) {
                throw new IllegalArgumentException("fallback must differ from its model: " + from);
            }
            if (fallbacks.putIfAbsent(from, to) != null) {
                throw new IllegalStateException("fallback of " + from + " was already set");
            }
            return this;
        }

        /**
         * The budget of the whole application: every call on every model is admitted only when it
         * fits here too, and is charged here.
         *
         * @throws IllegalStateException when set already
         */
        public Builder appBudget(BudgetLimits limits) {
            this.appBudget = Checks.setOnce(this.appBudget, limits, "appBudget");
            return this;
        }

        /**
         * The budget of every model of one provider together.
         *
         * @throws IllegalArgumentException when the provider name is not valid
         * @throws IllegalStateException    when set already for that provider
         */
        public Builder providerBudget(String provider, BudgetLimits limits) {
            ModelPolicy.name("provider", provider, 40);
            Objects.requireNonNull(limits, "providerBudget");
            if (providerBudgets.putIfAbsent(provider, limits) != null) {
                throw new IllegalStateException("providerBudget of " + provider + " was already set");
            }
            return this;
        }

        /**
         * Each tenant's own budget, across every model: a call that names a tenant must fit in the
         * tenant's line and in the app's, provider's and model's lines. Without it, tenants have no
         * budget of their own (they still spend from the others).
         *
         * @throws IllegalStateException when set already
         */
        public Builder tenantBudget(BudgetLimits limits) {
            this.tenantBudget = Checks.setOnce(this.tenantBudget, limits, "tenantBudget");
            return this;
        }

        /**
         * The most tenants tracked at once (default 10,000). At the bound, an idle tenant (nothing in
         * flight, and with the in-memory ledger nothing spent this period) is forgotten to make room;
         * when none is idle a new tenant is refused with {@link TenantLimitException}.
         *
         * @throws IllegalArgumentException when not 1 to 10,000,000
         * @throws IllegalStateException    when set already
         */
        public Builder maxTenants(int value) {
            if (maxTenantsSet) {
                throw new IllegalStateException("maxTenants was already set");
            }
            if (value < 1 || value > 10_000_000) {
                throw new IllegalArgumentException("maxTenants must be 1 to 10000000: " + value);
            }
            this.maxTenants = value;
            this.maxTenantsSet = true;
            return this;
        }

        /**
         * Where budgets are counted; default: an in-memory ledger of this process (no store).
         *
         * @throws IllegalStateException when set already
         */
        public Builder budgetStore(BudgetStore value) {
            this.store = Checks.setOnce(this.store, value, "budgetStore");
            return this;
        }

        /**
         * The zone whose calendar days and months the budgets follow; default UTC.
         *
         * @throws IllegalStateException when set already
         */
        public Builder zone(ZoneId value) {
            this.zone = Checks.setOnce(this.zone, value, "zone");
            return this;
        }

        /**
         * The wall clock for budget periods, leases in the store, Retry-After dates and the breaker;
         * default the UTC system clock.
         *
         * @throws IllegalStateException when set already
         */
        public Builder clock(Clock value) {
            this.clock = Checks.setOnce(this.clock, value, "clock");
            return this;
        }

        /**
         * The monotonic source for rate windows, pauses, leases and durations; default
         * {@link Ticker#system()}. Waiting for a place is a real wait whatever the ticker.
         *
         * @throws IllegalStateException when set already
         */
        public Builder ticker(Ticker value) {
            this.ticker = Checks.setOnce(this.ticker, value, "ticker");
            return this;
        }

        /**
         * How the guard waits between retries; default sleeps the calling thread.
         *
         * @throws IllegalStateException when set already
         */
        public Builder sleeper(Sleeper value) {
            this.sleeper = Checks.setOnce(this.sleeper, value, "sleeper");
            return this;
        }

        /**
         * The source of backoff jitter, numbers in [0, 1); default a thread-local random.
         *
         * @throws IllegalStateException when set already
         */
        public Builder jitter(DoubleSupplier value) {
            this.jitter = Checks.setOnce(this.jitter, value, "jitter");
            return this;
        }

        /**
         * Records metrics in {@code value}; without it the guard records nothing.
         *
         * @throws IllegalStateException when set already
         */
        public Builder meterRegistry(MeterRegistry value) {
            this.registry = Checks.setOnce(this.registry, value, "meterRegistry");
            return this;
        }

        /**
         * Adds a {@code tenant} tag to the rejection and cost meters for up to {@code maxTenants}
         * tenants (later ones are tagged {@code other}); default 0, no tenant tag.
         *
         * @throws IllegalArgumentException when not 0 to 1,000
         * @throws IllegalStateException    when set already
         */
        public Builder tenantTags(int maxTenants) {
            if (tenantTagsSet) {
                throw new IllegalStateException("tenantTags was already set");
            }
            if (maxTenants < 0 || maxTenants > 1_000) {
                throw new IllegalArgumentException("tenantTags must be 0 to 1000: " + maxTenants);
            }
            this.tenantTags = maxTenants;
            this.tenantTagsSet = true;
            return this;
        }

        /**
         * Adds a notifier for {@code budget.soft_limit} (once per line and period) and
         * {@code budget.hard_limit} events; repeatable, every notifier hears every event.
         */
        public Builder notifier(Notifier value) {
            notifiers.add(Objects.requireNonNull(value, "notifier"));
            return this;
        }

        /**
         * Retries, backoff and the whole call's time budget; default {@link RetryPolicy#defaults()}.
         *
         * @throws IllegalStateException when set already
         */
        public Builder retry(RetryPolicy value) {
            this.retry = Checks.setOnce(this.retry, value, "retry");
            return this;
        }

        /**
         * The longest one attempt may take (default 60 s). Handed to the call as
         * {@link Attempt#timeout()}; enforced by the guard too when a {@link #callExecutor} is set.
         *
         * @throws IllegalArgumentException when not positive
         * @throws IllegalStateException    when set already
         */
        public Builder callTimeout(Duration value) {
            Checks.requirePositive(value, "callTimeout");
            Checks.requireUnset(callTimeout, "callTimeout");
            this.callTimeout = value;
            return this;
        }

        /**
         * Runs each attempt on {@code executor} and abandons (interrupts) it at the call timeout,
         * counting a timeout. Without one, attempts run on the calling thread and the host applies
         * {@link Attempt#timeout()} to its HTTP client. The executor is never shut down by the guard.
         *
         * @throws IllegalStateException when set already
         */
        public Builder callExecutor(Executor executor) {
            this.callExecutor = Checks.setOnce(this.callExecutor, executor, "callExecutor");
            return this;
        }

        /**
         * What fires the guard's timers (retrying settlements the store refused, reclaiming expired
         * leases, refreshing budget gauges from the store). Default: with a budget store, a daemon
         * thread of the guard's own, shut down by {@link AiGuard#close()}; a given one is not shut down.
         *
         * @throws IllegalStateException when set already
         */
        public Builder scheduler(ScheduledExecutorService value) {
            this.scheduler = Checks.setOnce(this.scheduler, value, "scheduler");
            return this;
        }

        /**
         * How long a reservation holds when its call never reports back (default 10 min); must be
         * longer than the call timeout.
         *
         * @throws IllegalArgumentException when not positive
         * @throws IllegalStateException    when set already
         */
        public Builder leaseTime(Duration value) {
            Checks.requirePositive(value, "leaseTime");
            Checks.requireUnset(leaseTime, "leaseTime");
            this.leaseTime = value;
            return this;
        }

        /**
         * How many settlements may wait for an unreachable store before new calls are refused with
         * {@link BudgetStoreUnavailableException} (default 10,000), and how often they are retried
         * (default every second).
         *
         * @throws IllegalArgumentException when the backlog is not 1 to 1,000,000 or the interval not positive
         * @throws IllegalStateException    when set already
         */
        public Builder settlementBacklog(int backlog, Duration retryEvery) {
            if (settlementBacklogSet) {
                throw new IllegalStateException("settlementBacklog was already set");
            }
            if (backlog < 1 || backlog > 1_000_000) {
                throw new IllegalArgumentException("settlementBacklog must be 1 to 1000000: " + backlog);
            }
            Checks.requirePositive(retryEvery, "settlementRetry");
            this.settlementBacklog = backlog;
            this.settlementRetry = retryEvery;
            this.settlementBacklogSet = true;
            this.settlementRetrySet = true;
            return this;
        }

        /**
         * How often {@code ai.budget.remaining} is refreshed from the shared store (default 30 s).
         *
         * @throws IllegalArgumentException when not positive
         * @throws IllegalStateException    when set already
         */
        public Builder budgetRefreshInterval(Duration value) {
            if (budgetRefreshSet) {
                throw new IllegalStateException("budgetRefreshInterval was already set");
            }
            this.budgetRefresh = Checks.requirePositive(value, "budgetRefreshInterval");
            this.budgetRefreshSet = true;
            return this;
        }

        /**
         * The circuit breaker of every model: opens when at least {@code failureRatePercent} of the
         * last calls (at least {@code minimumCalls}) failed with 5xx or a timeout, and stays open for
         * {@code openFor}. Defaults: 50 %, 10 calls, 30 s.
         *
         * @throws IllegalArgumentException when a value is out of range
         * @throws IllegalStateException    when set already
         */
        public Builder circuitBreaker(float failureRatePercent, int minimumCalls, Duration openFor) {
            if (breakerSet) {
                throw new IllegalStateException("circuitBreaker was already set");
            }
            if (!(failureRatePercent > 0 && failureRatePercent <= 100)) {
                throw new IllegalArgumentException("failureRatePercent must be in (0, 100]: " + failureRatePercent);
            }
            if (minimumCalls < 1 || minimumCalls > 1000) {
                throw new IllegalArgumentException("minimumCalls must be 1 to 1000: " + minimumCalls);
            }
            Checks.requirePositive(openFor, "openFor");
            this.failureRatePercent = failureRatePercent;
            this.minimumCalls = minimumCalls;
            this.openFor = openFor;
            this.breakerSet = true;
            return this;
        }

        /**
         * Whether a 429 pauses every model of the provider (true) or only the model that answered it
         * (false, the default: providers such as OpenAI limit each model separately).
         */
        public Builder pauseWholeProvider(boolean value) {
            this.pauseWholeProvider = value;
            return this;
        }

        /**
         * Lets models missing from the price table run without cost budgets. Off by default: an
         * unpriced model is refused when the guard is built (fail closed).
         */
        public Builder allowUnpricedModels(boolean value) {
            this.allowUnpricedModels = value;
            return this;
        }

        /**
         * Builds and starts the guard.
         *
         * @throws IllegalStateException    when prices or models are missing
         * @throws IllegalArgumentException when a model has no price (and unpriced models are not
         *         allowed), a model has a budget but no price, a fallback names an unknown model or
         *         loops, a provider budget names an unconfigured provider, or the lease is not longer
         *         than the call timeout
         */
        public AiGuard build() {
            PriceTable table = Checks.requirePresent(prices, "prices");
            if (models.isEmpty()) {
                throw new IllegalStateException("model is required: none configured");
            }
            Set<String> providers = new HashSet<>();
            for (ModelPolicy policy : models.values()) {
                providers.add(policy.provider());
                boolean priced = table.price(policy.provider(), policy.model()).isPresent();
                boolean budgeted = policy.budget().isPresent();
                if (!priced && (budgeted || !allowUnpricedModels)) {
                    throw new IllegalArgumentException("model has no price in the price table (version "
                            + table.version() + "): '" + policy.route() + "'"
                            + (budgeted ? "; a cost budget needs a price" : "; add it or allowUnpricedModels(true)"));
                }
                if (!priced) {
                    log.warn("{}: no price in the price table; it runs without a cost budget", policy.route());
                }
            }
            for (String p : providerBudgets.keySet()) {
                if (!providers.contains(p)) {
                    throw new IllegalArgumentException("providerBudget names an unconfigured provider: '" + p + "'");
                }
            }
            for (Map.Entry<String, String> e : fallbacks.entrySet()) {
                if (!models.containsKey(e.getKey())) {
                    throw new IllegalArgumentException("fallback names an unconfigured model: '" + e.getKey() + "'");
                }
                if (!models.containsKey(e.getValue())) {
                    throw new IllegalArgumentException("fallback names an unconfigured model: '" + e.getValue() + "'");
                }
            }
            for (String start : fallbacks.keySet()) {
                Set<String> seen = new HashSet<>();
                for (String at = start; at != null; at = fallbacks.get(at)) {
                    if (!seen.add(at)) {
                        throw new IllegalArgumentException("fallback chain loops back to '" + at + "'");
                    }
                }
            }
            Duration lease = leaseTime == null ? Duration.ofMinutes(10) : leaseTime;
            Duration timeout = callTimeout == null ? Duration.ofSeconds(60) : callTimeout;
            if (lease.compareTo(timeout) <= 0) {
                throw new IllegalArgumentException("leaseTime must be longer than callTimeout (" + timeout + "): "
                        + lease);
            }
            return new AiGuard(this, table, clock == null ? Clock.systemUTC() : clock,
                    ticker == null ? Ticker.system() : ticker);
        }
    }
}
