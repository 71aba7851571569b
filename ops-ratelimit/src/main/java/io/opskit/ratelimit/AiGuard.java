package io.opskit.ratelimit;

import io.opskit.ratelimit.internal.Require;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.opskit.api.budget.BudgetStore;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.notify.Notifier;
import io.opskit.ratelimit.internal.GuardContext;
import io.opskit.ratelimit.internal.GuardMetrics;
import io.opskit.ratelimit.internal.MicrometerGuardMetrics;
import io.opskit.ratelimit.internal.Pause;
import io.opskit.ratelimit.internal.Route;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards calls to paid AI providers: per model, requests per minute, tokens per minute, concurrent
 * calls and USD cost per calendar day and month are enforced together before a call is sent; the
 * worst-case cost is reserved in a {@link BudgetStore} and reconciled to the real cost afterwards.
 * A provider's 429 pauses the model for every thread until its {@code Retry-After}; server errors
 * and timeouts are retried with backoff and jitter under one retry budget and trip a circuit
 * breaker; a fallback model (gpt-4o → gpt-4o-mini) is tried when the first is rate-limited,
 * paused, circuit-open or over budget. The guard makes no HTTP call of its own: the host's
 * {@link AiCall} does.
 *
 * <pre>{@code
 * AiGuard guard = AiGuard.builder()
 *         .prices(PriceTable.fromJson(json))
 *         .model(ModelPolicy.builder("openai", "gpt-4o").requestsPerMinute(500).tokensPerMinute(30_000)
 *                 .maxConcurrent(3, Duration.ofSeconds(2)).dailyBudgetUsd(50, 100).build())
 *         .model(ModelPolicy.builder("openai", "gpt-4o-mini").dailyBudgetUsd(20, 40).build())
 *         .fallback("openai/gpt-4o", "openai/gpt-4o-mini")
 *         .build();
 * AiResult<String> r = guard.call(AiRequest.chat("openai", "gpt-4o", 900, 400), attempt -> ...);
 * }</pre>
 *
 * <p>Start with {@link #builder()}. Thread-safe: build one guard per application and share it.
 */
public final class AiGuard {

    private static final Logger log = LoggerFactory.getLogger(AiGuard.class);

    private final List<Route> routes;
    private final Map<String, Route> byName;
    private final Map<String, Map<String, Route>> byProvider;
    private final Route[][] chains;
    private final GuardContext ctx;
    private final RetryPolicy retry;
    private final Duration callTimeout;
    private final Duration openFor;
    private final Sleeper sleeper;
    private final DoubleSupplier jitter;
    private final @Nullable Executor callExecutor;
    private final PriceTable prices;
    private final Map<String, AtomicLong> openedAtMillis = new HashMap<>();

    private AiGuard(Builder b, PriceTable prices) {
        this.prices = prices;
        this.retry = b.retry;
        this.callTimeout = b.callTimeout;
        this.openFor = b.openFor;
        this.sleeper = b.sleeper;
        this.jitter = b.jitter;
        this.callExecutor = b.callExecutor;
        GuardMetrics metrics = b.registry == null ? GuardMetrics.NONE : new MicrometerGuardMetrics(b.registry);
        this.ctx = new GuardContext(b.clock, b.nanoTime, b.zone, b.store, b.leaseTime.toNanos(), b.notifier,
                metrics, b.tenantTags, UUID.randomUUID().toString());
        CircuitBreakerConfig breakerConfig = CircuitBreakerConfig.custom()
                .failureRateThreshold(b.failureRatePercent)
                .slidingWindow(Math.max(b.minimumCalls, 20), b.minimumCalls,
                        CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .waitDurationInOpenState(b.openFor)
                .permittedNumberOfCallsInHalfOpenState(1)
                .clock(b.clock)
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
                    openedAt.set(b.clock.millis());
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
        this.chains = new Route[list.size()][];
        for (Route route : list) {
            List<Route> chain = new ArrayList<>();
            String at = route.name();
            while (at != null && chain.size() <= list.size()) {
                chain.add(names.get(at));
                at = b.fallbacks.get(at);
            }
            chains[route.index()] = chain.toArray(new Route[0]);
        }
        log.info("AI guard started: models {}, prices version {} as of {}, budgets {} in zone {}",
                names.keySet(), prices.version(), prices.asOf(), b.store == null ? "in memory" : "in a shared store",
                b.zone);
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
     * Runs one guarded call: admits it on the requested model (or the first fallback whose limits
     * admit it and whose context window fits), sends it through {@code call}, honours 429
     * pauses, retries server errors and timeouts with backoff under the retry budget, and charges
     * the real cost.
     *
     * @return the host's value with the model that answered, its usage and cost
     * @throws BudgetExceededException  when every model of the chain is over a hard budget
     * @throws RateLimitedException     when rate limits or provider pauses refuse and do not clear
     *                                  within the retry budget
     * @throws ConcurrencyFullException when every model stays full for its bounded wait
     * @throws CircuitOpenException     when the breakers of the chain are open
     * @throws ProviderErrorException   when the provider keeps failing, or fails with a client error
     * @throws IllegalArgumentException when the model is not configured, or the estimate's
     *                                  worst-case cost exceeds the whole budget of every model in the chain
     * @throws io.opskit.api.budget.BudgetStoreException when the shared budget store is unreachable
     */
    public <T> AiResult<T> call(AiRequest request, AiCall<T> call) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(call, "call");
        Route first = route(request.provider(), request.model());
        Route[] chain = chains[first.index()];
        checkFitsSomewhere(request, chain);
        long start = ctx.nanoTime();
        long deadline = start + retry.maxElapsed().toNanos();
        int attempts = 0;
        int retries = 0;
        for (;;) {
            List<AiGuardException> refusals = new ArrayList<>(chain.length);
            ProviderErrorException failure = null;
            long soonest = Long.MAX_VALUE;
            for (Route route : chain) {
                if (attempts >= retry.maxAttempts()) {
                    break;
                }
                long tokens = request.worstCaseTokens();
                long window = route.policy().contextWindow();
                if (window > 0 && tokens > window) {
                    ctx.metrics().rejected(route, tenantTag(request), "context_window");
                    continue;
                }
                if (!route.breaker().tryAcquirePermission()) {
                    AiGuardException refused = new CircuitOpenException(route.provider(), route.model(),
                            untilHalfOpen(route));
                    ctx.metrics().rejected(route, tenantTag(request), refused.reason());
                    refusals.add(refused);
                    continue;
                }
                long stamp;
                try {
                    stamp = route.acquire(tokens, route.worstCaseMicros(request.inputTokens(),
                            request.maxOutputTokens()), request.tenant());
                } catch (AiGuardException refused) {
                    route.breaker().releasePermission();
                    ctx.metrics().rejected(route, tenantTag(request), refused.reason());
                    refusals.add(refused);
                    if (refused instanceof RateLimitedException) {
                        soonest = Math.min(soonest, refused.retryAfter().map(Duration::toNanos).orElse(Long.MAX_VALUE));
                    }
                    continue;
                } catch (RuntimeException storeDown) {
                    route.breaker().releasePermission();
                    throw storeDown;
                }
                attempts++;
                Outcome<T> outcome = attempt(route, stamp, request, call, attempts, deadline);
                if (outcome.result != null) {
                    return outcome.result;
                }
                if (outcome.refusal != null) { // 429: paused; try the next model now
                    refusals.add(outcome.refusal);
                    soonest = Math.min(soonest, outcome.refusal.retryAfter().map(Duration::toNanos).orElse(Long.MAX_VALUE));
                    continue;
                }
                failure = outcome.failure;
                if (failure != null && !outcome.retryable) {
                    throw failure;
                }
                break; // server error or timeout: back off, then start again from the first model
            }
            AiGuardException best = failure != null ? failure : refusals.isEmpty() ? null : refusals.get(0);
            if (best == null) {
                throw new IllegalArgumentException("no model of the chain " + first.name()
                        + " has a context window for " + request.worstCaseTokens()
                        + " tokens (inputTokens + maxOutputTokens)");
            }
            for (AiGuardException other : refusals) {
                if (other != best) {
                    best.addSuppressed(other);
                }
            }
            if (attempts >= retry.maxAttempts() || retry.maxAttempts() == 1) {
                throw best;
            }
            long wait;
            if (failure != null) {
                wait = retry.backoff(retries + 1, jitter.getAsDouble()).toNanos();
            } else if (soonest != Long.MAX_VALUE) {
                wait = Math.max(soonest, 1);
            } else {
                throw best; // budget, concurrency or an open circuit: waiting inside the call will not help
            }
            if (ctx.nanoTime() + wait - deadline >= 0) {
                throw best;
            }
            try {
                sleeper.sleep(Duration.ofNanos(wait));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw best;
            }
            retries++;
        }
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
                    + Money.usd(tightestWorst) + " USD (inputTokens=" + request.inputTokens() + ", maxOutputTokens="
                    + request.maxOutputTokens() + ") exceeds the whole budget of " + Money.usd(
                            tightest.smallestHardLimitMicros()) + " USD of " + tightest.name()
                    + (chain.length > 1 ? " and of every fallback" : ""));
        }
    }

    private @Nullable String tenantTag(AiRequest request) {
        return ctx.tenantTags() ? request.tenant() : null;
    }

    private @Nullable Duration untilHalfOpen(Route route) {
        long openedAt = openedAtMillis.get(route.name()).get();
        if (openedAt == 0) {
            return null;
        }
        long left = openedAt + openFor.toMillis() - ctx.clock().millis();
        return Duration.ofMillis(Math.max(0, left));
    }

    private static final class Outcome<T> {
        @Nullable AiResult<T> result;
        @Nullable RateLimitedException refusal;
        @Nullable ProviderErrorException failure;
        boolean retryable;
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

    private <T> Outcome<T> attempt(Route route, long stamp, AiRequest request, AiCall<T> call, int number,
                                   long deadline) {
        long start = ctx.nanoTime();
        long timeoutNanos = Math.max(1, Math.min(callTimeout.toNanos(), deadline - start));
        GuardAttempt attempt = new GuardAttempt(route, number, Duration.ofNanos(timeoutNanos), start,
                request.operation());
        ProviderReply<T> reply = null;
        Throwable thrown = null;
        try {
            reply = invoke(call, attempt, timeoutNanos);
            if (reply == null) {
                throw new NullPointerException("the AiCall returned null for " + route.name());
            }
        } catch (Exception e) {
            thrown = e;
        }
        long elapsed = ctx.nanoTime() - start;
        Outcome<T> outcome = new Outcome<>();
        CircuitBreaker breaker = route.breaker();
        if (thrown != null) {
            String type = errorType(thrown);
            if (type == null) { // the host's own code failed: not the provider's fault, not retried
                breaker.releasePermission();
                route.release(stamp, false);
                if (thrown instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    outcome.failure = new ProviderErrorException(route.provider(), route.model(), "interrupted",
                            "the calling thread was interrupted", thrown);
                    return outcome;
                }
                throw thrown instanceof RuntimeException re ? re : new IllegalStateException(thrown);
            }
            ProviderErrorException failure = new ProviderErrorException(route.provider(), route.model(), type,
                    thrown.getClass().getSimpleName(), thrown);
            breaker.onError(elapsed, TimeUnit.NANOSECONDS, failure);
            if ("timeout".equals(type)) {
                route.chargeReserved(stamp); // the provider may have done the work; charge the reservation
            } else {
                route.release(stamp, true);
            }
            ctx.metrics().providerError(route, type);
            ctx.metrics().duration(route, request.operation(), type, elapsed);
            outcome.failure = failure;
            outcome.retryable = true;
            return outcome;
        }
        if (reply.isOk()) {
            breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
            TokenUsage usage = Objects.requireNonNull(reply.usage());
            long cost = route.complete(stamp, usage, request.operation());
            ctx.metrics().duration(route, request.operation(), null, elapsed);
            outcome.result = new AiResult<>(Objects.requireNonNull(reply.value()), route.provider(), route.model(),
                    usage, cost, number);
            return outcome;
        }
        int status = reply.status();
        String type = "http_" + status;
        ctx.metrics().providerError(route, type);
        ctx.metrics().duration(route, request.operation(), type, elapsed);
        if (status == 429) {
            // Resilience4j's breaker knows success and failure only; a 429 is neither (the provider is
            // healthy and asked us to slow down), so the permission is handed back unrecorded and the
            // model is paused instead.
            breaker.releasePermission();
            route.release(stamp, true);
            Duration wait = RetryAfter.parse(reply.headers(), ctx.clock().instant())
                    .orElse(retry.initialBackoff());
            route.pause().until(ctx.nanoTime() + wait.toNanos());
            log.debug("{}: provider answered 429; paused for {} ms", route.name(), wait.toMillis());
            outcome.refusal = new RateLimitedException(route.provider(), route.model(), "provider_retry_after", wait);
            return outcome;
        }
        ProviderErrorException failure = new ProviderErrorException(route.provider(), route.model(), type,
                "HTTP " + status, null);
        route.release(stamp, true);
        if (status >= 500 || status == 408) {
            breaker.onError(elapsed, TimeUnit.NANOSECONDS, failure);
            outcome.retryable = true;
        } else {
            breaker.releasePermission(); // a client error says nothing about the provider's health
        }
        outcome.failure = failure;
        return outcome;
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
     * stream, say): checks pause and the four limits and reserves the worst-case cost, without
     * retry, circuit breaking or fallback. Allocates nothing with the in-memory budget ledger.
     * Every stamp must be ended exactly once with {@link #complete} or {@link #release}; one that is
     * not is reclaimed after the lease time.
     *
     * @return a stamp naming the admitted call (positive)
     * @throws RateLimitedException     when paused or over a per-minute limit
     * @throws ConcurrencyFullException when no place frees up within the bounded wait
     * @throws BudgetExceededException  when the worst case does not fit a hard budget
     * @throws IllegalArgumentException when the model is not configured
     */
    public long acquire(AiRequest request) {
        Route route = route(request.provider(), request.model());
        try {
            return route.acquire(request.worstCaseTokens(),
                    route.worstCaseMicros(request.inputTokens(), request.maxOutputTokens()), request.tenant());
        } catch (AiGuardException refused) {
            ctx.metrics().rejected(route, tenantTag(request), refused.reason());
            throw refused;
        }
    }

    /**
     * Ends an admitted call with its real usage and charges its cost. A stamp already ended is
     * ignored; one whose lease expired is charged to the model's current period.
     *
     * @return the cost charged, micro-USD (0 when the stamp is ignored)
     */
    public long complete(long stamp, TokenUsage usage) {
        Objects.requireNonNull(usage, "usage");
        Route route = routeOf(stamp);
        return route == null ? 0 : route.complete(stamp, usage, "chat");
    }

    /** Ends an admitted call that was never sent: its reservation and permits are given back. */
    public void release(long stamp) {
        Route route = routeOf(stamp);
        if (route != null) {
            route.release(stamp, false);
        }
    }

    private @Nullable Route routeOf(long stamp) {
        int index = (int) (stamp >>> 48);
        return stamp > 0 && index < routes.size() ? routes.get(index) : null;
    }

    private Route route(String provider, String model) {
        Map<String, Route> models = byProvider.get(provider); // no key is built: the hot path allocates nothing
        Route route = models == null ? null : models.get(model);
        if (route == null) {
            throw new IllegalArgumentException("model is not configured in this guard: '" + provider + "/" + model
                    + "' (configured: " + byName.keySet() + ")");
        }
        return route;
    }

    /**
     * Every cost budget (per model, and per tenant once a tenant has called) in its current period.
     *
     * @throws io.opskit.api.budget.BudgetStoreException when the shared store cannot be read
     */
    public List<BudgetStatus> budgets() {
        List<BudgetStatus> all = new ArrayList<>();
        for (Route route : routes) {
            all.addAll(route.budgets());
        }
        return all;
    }

    /**
     * A health check for one provider: DOWN when every model's circuit is open, DEGRADED when one
     * is open or half-open, paused by a 429, or out of budget, UP otherwise; details per model.
     *
     * @throws IllegalArgumentException when no model of the provider is configured
     */
    public HealthCheck healthCheck(String provider) {
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

    /** Configures an {@link AiGuard}. Setters validate at once; not thread-safe. */
    public static final class Builder {
        private @Nullable PriceTable prices;
        private final Map<String, ModelPolicy> models = new LinkedHashMap<>();
        private final Map<String, String> fallbacks = new HashMap<>();
        private @Nullable BudgetStore store;
        private ZoneId zone = ZoneId.of("UTC");
        private Clock clock = Clock.systemUTC();
        private LongSupplier nanoTime = System::nanoTime;
        private Sleeper sleeper = Sleeper.threadSleep();
        private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();
        private @Nullable MeterRegistry registry;
        private boolean tenantTags;
        private Notifier notifier = Notifier.none();
        private RetryPolicy retry = RetryPolicy.defaults();
        private Duration callTimeout = Duration.ofSeconds(60);
        private Duration leaseTime = Duration.ofMinutes(10);
        private float failureRatePercent = 50;
        private int minimumCalls = 10;
        private Duration openFor = Duration.ofSeconds(30);
        private boolean pauseWholeProvider;
        private boolean allowUnpricedModels;
        private @Nullable Executor callExecutor;

        private Builder() {
        }

        /** The price table (required). */
        public Builder prices(PriceTable value) {
            this.prices = Objects.requireNonNull(value, "prices");
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
         * @throws IllegalArgumentException when {@code from} has a fallback already or equals {@code to}
         */
        public Builder fallback(String from, String to) {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            if (from.equals(to)) {
                throw new IllegalArgumentException("fallback must differ from its model: " + from);
            }
            if (fallbacks.putIfAbsent(from, to) != null) {
                throw new IllegalArgumentException("fallback of " + from + " is set twice");
            }
            return this;
        }

        /** Where budgets are counted; default: an in-memory ledger of this process (no store). */
        public Builder budgetStore(BudgetStore value) {
            this.store = Objects.requireNonNull(value, "budgetStore");
            return this;
        }

        /** The zone whose calendar days and months the budgets follow; default UTC. */
        public Builder zone(ZoneId value) {
            this.zone = Objects.requireNonNull(value, "zone");
            return this;
        }

        /** The wall clock for budget periods, Retry-After dates and the breaker; default UTC system clock. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** The monotonic clock for rate limits, pauses and durations, in nanoseconds; default {@code System::nanoTime}. */
        public Builder nanoTime(LongSupplier value) {
            this.nanoTime = Objects.requireNonNull(value, "nanoTime");
            return this;
        }

        /** How the guard waits between retries; default sleeps the calling thread. */
        public Builder sleeper(Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "sleeper");
            return this;
        }

        /** The source of backoff jitter, numbers in [0, 1); default a thread-local random. */
        public Builder jitter(DoubleSupplier value) {
            this.jitter = Objects.requireNonNull(value, "jitter");
            return this;
        }

        /** Records metrics in {@code value}; without it the guard records nothing. */
        public Builder meterRegistry(MeterRegistry value) {
            this.registry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /** Adds a {@code tenant} tag to per-tenant metrics (mind the cardinality); default off. */
        public Builder tenantTags(boolean value) {
            this.tenantTags = value;
            return this;
        }

        /** Receives {@code budget.soft_limit} (once per period) and {@code budget.hard_limit} events. */
        public Builder notifier(Notifier value) {
            this.notifier = Objects.requireNonNull(value, "notifier");
            return this;
        }

        /** Retries, backoff and the whole call's time budget; default {@link RetryPolicy#defaults()}. */
        public Builder retry(RetryPolicy value) {
            this.retry = Objects.requireNonNull(value, "retry");
            return this;
        }

        /**
         * The longest one attempt may take (default 60 s). Handed to the call as
         * {@link Attempt#timeout()}; enforced by the guard too when a {@link #callExecutor} is set.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder callTimeout(Duration value) {
            Require.positive("callTimeout", value);
            this.callTimeout = value;
            return this;
        }

        /**
         * Runs each attempt on {@code executor} and abandons (interrupts) it at the call timeout,
         * counting a timeout. Without one, attempts run on the calling thread and the host applies
         * {@link Attempt#timeout()} to its HTTP client.
         */
        public Builder callExecutor(Executor executor) {
            this.callExecutor = Objects.requireNonNull(executor, "callExecutor");
            return this;
        }

        /**
         * How long a reservation holds when its call never reports back (default 10 min); must be
         * longer than the call timeout.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder leaseTime(Duration value) {
            Require.positive("leaseTime", value);
            this.leaseTime = value;
            return this;
        }

        /**
         * The circuit breaker of every model: opens when at least {@code failureRatePercent} of the
         * last calls (at least {@code minimumCalls}) failed with 5xx or a timeout, and stays open for
         * {@code openFor}. Defaults: 50 %, 10 calls, 30 s.
         *
         * @throws IllegalArgumentException when a value is out of range
         */
        public Builder circuitBreaker(float failureRatePercent, int minimumCalls, Duration openFor) {
            if (!(failureRatePercent > 0 && failureRatePercent <= 100)) {
                throw new IllegalArgumentException("failureRatePercent must be in (0, 100]: " + failureRatePercent);
            }
            if (minimumCalls < 1 || minimumCalls > 1000) {
                throw new IllegalArgumentException("minimumCalls must be 1 to 1000: " + minimumCalls);
            }
            Require.positive("openFor", openFor);
            this.failureRatePercent = failureRatePercent;
            this.minimumCalls = minimumCalls;
            this.openFor = openFor;
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
         * Builds the guard.
         *
         * @throws IllegalArgumentException when prices or models are missing, a model has no price
         *         (and unpriced models are not allowed), a model has a budget but no price, a fallback
         *         names an unknown model or loops, or the lease is not longer than the call timeout
         */
        public AiGuard build() {
            if (prices == null) {
                throw new IllegalArgumentException("prices must be set: the guard charges by a price table");
            }
            if (models.isEmpty()) {
                throw new IllegalArgumentException("models must name at least one model: none configured");
            }
            for (ModelPolicy policy : models.values()) {
                boolean priced = prices.price(policy.provider(), policy.model()).isPresent();
                boolean budgeted = policy.dailyHardMicros() > 0 || policy.monthlyHardMicros() > 0;
                if (!priced && (budgeted || !allowUnpricedModels)) {
                    throw new IllegalArgumentException("model has no price in the price table (version "
                            + prices.version() + "): '" + policy.route() + "'"
                            + (budgeted ? "; a cost budget needs a price" : "; add it or allowUnpricedModels(true)"));
                }
                if (!priced) {
                    log.warn("{}: no price in the price table; it runs without a cost budget", policy.route());
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
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (String at = start; at != null; at = fallbacks.get(at)) {
                    if (!seen.add(at)) {
                        throw new IllegalArgumentException("fallback chain loops back to '" + at + "'");
                    }
                }
            }
            if (leaseTime.compareTo(callTimeout) <= 0) {
                throw new IllegalArgumentException("leaseTime must be longer than callTimeout (" + callTimeout
                        + "): " + leaseTime);
            }
            return new AiGuard(this, prices);
        }
    }
}
