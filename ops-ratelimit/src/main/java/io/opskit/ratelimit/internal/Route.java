package io.opskit.ratelimit.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.opskit.api.Usd;
import io.opskit.api.budget.BudgetStoreException;
import io.opskit.ratelimit.AiLimit;
import io.opskit.ratelimit.AiRequest;
import io.opskit.ratelimit.BudgetExceededException;
import io.opskit.ratelimit.BudgetStoreUnavailableException;
import io.opskit.ratelimit.ConcurrencyFullException;
import io.opskit.ratelimit.ContextWindowException;
import io.opskit.ratelimit.ModelPolicy;
import io.opskit.ratelimit.ModelPrice;
import io.opskit.ratelimit.RateLimitedException;
import io.opskit.ratelimit.TenantLimitException;
import io.opskit.ratelimit.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One provider model: its places for concurrent calls ({@link Places}), its per-minute windows
 * ({@link RateWindow}, decided together under one lock), its pause and breaker, its budget lines in
 * the hierarchy, and the leases in flight.
 *
 * <p>Admission, in order: context window, the provider's pause, the tenant bound, a place (parking
 * in arrival order up to the given wait), both rate windows (all or nothing), then every budget
 * line (all or nothing, in the ledger). A refusal at any step gives back what the earlier steps
 * took, in one {@code finally}. Settlement is one method, {@link #settle}, whose {@code finally}
 * frees the place whatever the ledger does, so a place can never leak.
 *
 * <p>Thread-safe.
 */
public final class Route {

    private static final Logger log = LoggerFactory.getLogger(Route.class);

    private final int index;
    private final String provider;
    private final String model;
    private final String name;
    private final ModelPolicy policy;
    private final @Nullable ModelPrice price;
    private final GuardContext ctx;
    private final CircuitBreaker breaker;
    private final Pause pause;
    private final Places places;
    private final ReentrantLock rateLock = new ReentrantLock();
    private final @Nullable RateWindow rpm;
    private final @Nullable RateWindow tpm;
    private final BudgetLine[] modelLines;
    /** The app's, the provider's and the model's lines: what every call on this model reserves in. */
    private final BudgetLine[] baseLines;
    private final Set<Lease> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean leaseWarned = new AtomicBoolean();
    private final AtomicBoolean lateWarned = new AtomicBoolean();
    /** The ticker time of the next opportunistic sweep of expired leases. */
    private volatile long nextSweepNanos;

    /**
     * @param index   the route's number in its guard
     * @param price   the model's prices, or null when it runs without a cost budget
     * @param breaker the model's circuit breaker
     * @param pause   the pause this route obeys (its own, or its provider's)
     */
    public Route(int index, ModelPolicy policy, @Nullable ModelPrice price, GuardContext ctx, CircuitBreaker breaker,
                 Pause pause) {
        this.index = index;
        this.policy = policy;
        this.provider = policy.provider();
        this.model = policy.model();
        this.name = policy.route();
        this.price = price;
        this.ctx = ctx;
        this.breaker = breaker;
        this.pause = pause;
        this.places = new Places(policy.maxConcurrent());
        long now = ctx.nanoTime();
        this.rpm = policy.requestsPerMinute() > 0
                ? new RateWindow(policy.requestsPerMinute(), policy.requestBurst(), now) : null;
        this.tpm = policy.tokensPerMinute() > 0
                ? new RateWindow(policy.tokensPerMinute(), policy.tokenBurst(), now) : null;
        this.modelLines = price == null ? new BudgetLine[0]
                : ctx.lines(BudgetLine.Level.MODEL, name, policy.budget().orElse(null), ctx.nowMillis());
        List<BudgetLine> base = new ArrayList<>();
        if (price != null) {
            base.addAll(List.of(ctx.appLines));
            base.addAll(List.of(ctx.providerLines.getOrDefault(provider, new BudgetLine[0])));
        }
        base.addAll(List.of(modelLines));
        this.baseLines = base.toArray(new BudgetLine[0]);
    }

    /** The route's number in its guard. */
    public int index() {
        return index;
    }

    /** The provider name. */
    public String provider() {
        return provider;
    }

    /** The model name. */
    public String model() {
        return model;
    }

    /** {@code provider/model}. */
    public String name() {
        return name;
    }

    /** The configured limits. */
    public ModelPolicy policy() {
        return policy;
    }

    /** The model's circuit breaker. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** The pause this route obeys. */
    public Pause pause() {
        return pause;
    }

    /** Calls in flight now. */
    public int inFlight() {
        return places.inUse();
    }

    /** Callers parked waiting for a place. */
    public int waiting() {
        return places.waiting();
    }

    /** The model's own budget lines. */
    public List<BudgetLine> lines() {
        return List.of(modelLines);
    }

    /** The tightest hard limit among the lines every call on this model reserves in, or 0 when none. */
    public long smallestHardLimitMicros() {
        long min = 0;
        for (BudgetLine line : baseLines) {
            min = min == 0 ? line.hardMicros : Math.min(min, line.hardMicros);
        }
        return min;
    }

    /** The worst-case cost of a request on this model, micro-USD (0 without prices); never overflows. */
    public long worstCaseMicros(long inputTokens, long maxOutputTokens) {
        return price == null ? 0 : price.worstCaseMicros(inputTokens, maxOutputTokens);
    }

    /**
     * Admits one call or refuses it; never throws a refusal.
     *
     * @param waitNanos how long to park for a place when every place is taken (0: not at all)
     * @param chain     the fallback chain the call belongs to, for refusals
     */
    public Admit admit(AiRequest request, long waitNanos, List<String> chain) {
        long now = ctx.nanoTime();
        if (now - nextSweepNanos >= 0) { // at most once a second: an expired lease stops counting
            nextSweepNanos = now + 1_000_000_000L;
            sweepExpired(now);
        }
        long tokens = request.worstCaseTokens();
        long window = policy.contextWindow();
        if (window > 0 && tokens > window) {
            return new Admit.Refused(new ContextWindowException(provider, model, tokens, window, chain));
        }
        long paused = pause.remaining(now);
        if (paused > 0) {
            return new Admit.Refused(new RateLimitedException(provider, model, AiLimit.PROVIDER_RETRY_AFTER, chain,
                    Duration.ofNanos(paused)));
        }
        if (baseLines.length > 0 && !ctx.ledger.acceptsAdmissions()) {
            return new Admit.Refused(new BudgetStoreUnavailableException(provider, model, chain,
                    ctx.ledger.pendingSettlements() + " settlements wait for the budget store; new calls are refused "
                            + "until it takes them", null));
        }
        long worst = worstCaseMicros(request.inputTokens(), request.maxOutputTokens());
        Tenants.Entry tenant = null;
        Tenants tenants = ctx.tenants;
        String tenantName = request.tenant().orElse(null);
        if (tenantName != null && tenants != null && price != null) {
            tenant = tenants.enter(tenantName).orElse(null);
            if (tenant == null) {
                return new Admit.Refused(new TenantLimitException(provider, model, tenantName, tenants.maxTenants(),
                        chain));
            }
        }
        boolean placed = false;
        boolean admitted = false;
        try {
            placed = takePlace(now, waitNanos);
            if (!placed) {
                return new Admit.Refused(new ConcurrencyFullException(provider, model, policy.maxConcurrent(), chain,
                        Duration.ofNanos(waitNanos)));
            }
            long rateWait = takeRates(tokens, now);
            if (rateWait != 0) {
                AiLimit limit = rateWait > 0 ? AiLimit.REQUESTS_PER_MINUTE : AiLimit.TOKENS_PER_MINUTE;
                long wait = Math.abs(rateWait);
                return new Admit.Refused(new RateLimitedException(provider, model, limit, chain,
                        wait == RateWindow.NEVER ? null : Duration.ofNanos(wait)));
            }
            BudgetLine[] lines = tenant == null ? baseLines : concat(baseLines, tenant.lines);
            long nowMillis = ctx.nowMillis();
            Lease lease = new Lease(this, tenant, tokens, worst, lines, ctx.nextReservationId(), now + ctx.leaseNanos,
                    nowMillis + ctx.leaseNanos / 1_000_000L, request.operation(),
                    ctx.tenantTag(tenantName));
            Ledger.Refusal refusal;
            try {
                refusal = lines.length == 0 ? null : ctx.ledger.reserve(lease, nowMillis);
                if (refusal != null && !ctx.shared && sweepExpired(now) > 0) {
                    refusal = ctx.ledger.reserve(lease, nowMillis); // reclaimed leases freed budget
                }
            } catch (BudgetStoreException e) {
                giveBackRates(1, tokens, now);
                return new Admit.Refused(new BudgetStoreUnavailableException(provider, model, chain,
                        "the budget store could not decide: " + e.getMessage(), e));
            }
            if (refusal != null) {
                giveBackRates(1, tokens, now);
                BudgetLine line = refusal.line();
                return new Admit.Refused(new BudgetExceededException(provider, model,
                        line.monthly ? AiLimit.MONTHLY_BUDGET : AiLimit.DAILY_BUDGET, line.scope, chain,
                        Usd.ofMicros(worst), Usd.ofMicros(refusal.remainingMicros()),
                        Duration.ofMillis(Math.max(0, refusal.counter().endMillis - nowMillis))));
            }
            open.add(lease);
            admitted = true;
            return new Admit.Admitted(lease);
        } finally {
            if (!admitted) {
                if (placed) {
                    places.give();
                }
                if (tenant != null) {
                    tenant.leave();
                }
            }
        }
    }

    private boolean takePlace(long now, long waitNanos) {
        if (places.take(0)) {
            return true;
        }
        if (sweepExpired(now) > 0 && places.take(0)) {
            return true;
        }
        return waitNanos > 0 && places.take(waitNanos);
    }

    private static BudgetLine[] concat(BudgetLine[] a, BudgetLine[] b) {
        BudgetLine[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Takes a request permit and the estimate's token permits, or neither.
     *
     * @return 0 when taken; a positive wait when requests per minute refused, the negated wait when
     *         tokens per minute did ({@link RateWindow#NEVER} for a request no wait admits)
     */
    private long takeRates(long tokens, long now) {
        RateWindow r = rpm;
        RateWindow t = tpm;
        if (r == null && t == null) {
            return 0;
        }
        rateLock.lock();
        try {
            if (r != null) {
                long wait = r.tryTake(1, now);
                if (wait != 0) {
                    return wait;
                }
            }
            if (t != null) {
                long wait = t.tryTake(tokens, now);
                if (wait != 0) {
                    if (r != null) {
                        r.giveBack(1, now);
                    }
                    return wait == RateWindow.NEVER ? Long.MIN_VALUE + 1 : -wait;
                }
            }
            return 0;
        } finally {
            rateLock.unlock();
        }
    }

    private void giveBackRates(long requests, long tokens, long now) {
        if (rpm == null && tpm == null) {
            return;
        }
        rateLock.lock();
        try {
            if (rpm != null) {
                rpm.giveBack(requests, now);
            }
            if (tpm != null) {
                tpm.giveBack(tokens, now);
            }
        } finally {
            rateLock.unlock();
        }
    }

    private void chargeTokens(long tokens, long now) {
        if (tpm == null || tokens == 0) {
            return;
        }
        rateLock.lock();
        try {
            if (tokens > 0) {
                tpm.charge(tokens, now);
            } else {
                tpm.giveBack(-tokens, now);
            }
        } finally {
            rateLock.unlock();
        }
    }

    /**
     * Settles a lease once: charges what the call cost to every line it reserved in (or the current
     * period's, for a late report after its lease expired), adjusts the tokens window by the
     * difference from the estimate, and frees its place in {@code finally}. A second settlement, or
     * a release after expiry, is ignored.
     *
     * @return the cost charged, micro-USD (0 when ignored)
     */
    public long settle(Lease lease, Settlement how) {
        boolean late;
        if (lease.state.compareAndSet(Lease.OPEN, Lease.SETTLED)) {
            late = false;
        } else if (how.kind() == Settlement.Kind.COMPLETED && lease.state.compareAndSet(Lease.EXPIRED, Lease.SETTLED)) {
            late = true;
        } else {
            return 0;
        }
        long cost = 0;
        long now = ctx.nanoTime();
        try {
            TokenUsage usage = how.usage();
            switch (how.kind()) {
                case COMPLETED -> {
                    cost = price == null || usage == null ? 0 : price.costMicros(usage);
                    long used = usage == null ? 0 : usage.totalTokens();
                    if (late) {
                        warnLate(cost);
                        ctx.ledger.chargeLate(lease, cost, ctx.nowMillis());
                        chargeTokens(Math.max(0, used - lease.tokens), now);
                    } else {
                        ctx.ledger.settle(lease, cost, ctx.nowMillis());
                        chargeTokens(used - lease.tokens, now);
                    }
                    if (usage != null) {
                        ctx.metrics.usage(this, lease.operation, lease.tenantTag, usage, cost);
                    }
                }
                case CHARGE_RESERVED -> {
                    cost = lease.worstMicros;
                    ctx.ledger.settle(lease, cost, ctx.nowMillis());
                }
                case SENT_FREE -> {
                    ctx.ledger.drop(lease);
                    chargeTokens(-lease.tokens, now);
                }
                case UNSENT -> {
                    ctx.ledger.drop(lease);
                    giveBackRates(1, lease.tokens, now);
                }
            }
        } catch (RuntimeException e) { // a ledger never throws; a third-party notifier or meter might
            log.warn("{}: settling a call failed: {}", name, e.toString());
        } finally {
            if (!late) {
                free(lease);
            }
        }
        return cost;
    }

    private void free(Lease lease) {
        open.remove(lease);
        places.give();
        if (lease.tenant != null) {
            lease.tenant.leave();
        }
    }

    private void warnLate(long cost) {
        if (lateWarned.compareAndSet(false, true)) {
            log.warn("{}: a call reported back after its lease expired; charging {} to the current period "
                    + "(further ones are logged at DEBUG)", name, Usd.ofMicros(cost));
        } else {
            log.debug("{}: late report charged {}", name, Usd.ofMicros(cost));
        }
    }

    /**
     * Frees the places and reservations of calls whose lease ended without a report (a hung or
     * forgotten call); their per-minute permits stay spent. A late report is still charged.
     *
     * @return how many were reclaimed
     */
    public int sweepExpired(long nowNanos) {
        int reclaimed = 0;
        for (Lease lease : open) {
            if (lease.deadlineNanos - nowNanos < 0 && lease.state.compareAndSet(Lease.OPEN, Lease.EXPIRED)) {
                if (leaseWarned.compareAndSet(false, true)) {
                    log.warn("{}: a call held its place past the lease of {} s without reporting back; reclaimed "
                            + "(further ones are logged at DEBUG)", name, ctx.leaseNanos / 1_000_000_000L);
                } else {
                    log.debug("{}: reclaimed an expired lease", name);
                }
                try {
                    ctx.ledger.expire(lease);
                } finally {
                    free(lease);
                }
                reclaimed++;
            }
        }
        return reclaimed;
    }
}
