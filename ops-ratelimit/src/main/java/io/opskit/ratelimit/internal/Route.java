package io.opskit.ratelimit.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.opskit.api.budget.Admission;
import io.opskit.api.budget.BudgetStore;
import io.opskit.api.budget.BudgetStoreException;
import io.opskit.api.budget.BudgetUsage;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import io.opskit.ratelimit.BudgetExceededException;
import io.opskit.ratelimit.BudgetStatus;
import io.opskit.ratelimit.ConcurrencyFullException;
import io.opskit.ratelimit.ModelPolicy;
import io.opskit.ratelimit.ModelPrice;
import io.opskit.ratelimit.RateLimitedException;
import io.opskit.ratelimit.TokenUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limits of one provider model and the calls in flight on it. Admission checks, in order, the
 * provider's pause, requests per minute, tokens per minute, a place among the concurrent calls, and
 * the cost budgets; a later refusal gives back what the earlier ones took. A call in flight is
 * known by a stamp ({@code long}: route, slot and generation), so admission allocates nothing
 * with the in-memory ledger; a stale stamp (already settled, or expired) is recognised and never
 * settles someone else's call.
 *
 * <p>Thread-safe and lock-free. The places for concurrent calls are the slots themselves: taking
 * one is a CAS on a free slot, freeing it a release store. A caller that finds every place taken
 * and may wait polls for a free one every 50 µs until its bounded wait ends; polling keeps the
 * release side free of any hand-off (a {@code Semaphore} would add a CAS on both sides of every
 * call and a queue node for every waiter).
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
    private final @Nullable RateLimiter rpm;
    private final @Nullable RateLimiter tpm;
    private final Slot[] slots;
    private final CircuitBreaker breaker;
    private final Pause pause;
    private final BudgetLine[] lines;
    private final Map<String, BudgetLine[]> tenantLines = new ConcurrentHashMap<>();
    private final AtomicBoolean storeWarned = new AtomicBoolean();
    private final AtomicBoolean leaseWarned = new AtomicBoolean();

    /**
     * @param index   the route's number in its guard (0 to 32767), part of every stamp
     * @param price   the model's prices, or null when it runs without a cost budget
     * @param breaker the model's circuit breaker
     * @param pause   the pause this route obeys (its own, or its provider's)
     */
    public Route(int index, ModelPolicy policy, @Nullable ModelPrice price, GuardContext ctx, CircuitBreaker breaker,
                 Pause pause) {
        if (index < 0 || index > Short.MAX_VALUE) {
            throw new IllegalArgumentException("too many models in one guard: " + index);
        }
        this.index = index;
        this.policy = policy;
        this.provider = policy.provider();
        this.model = policy.model();
        this.name = policy.route();
        this.price = price;
        this.ctx = ctx;
        this.breaker = breaker;
        this.pause = pause;
        long now = ctx.nanoTime();
        this.rpm = policy.requestsPerMinute() > 0 ? new RateLimiter(policy.requestsPerMinute(), now) : null;
        this.tpm = policy.tokensPerMinute() > 0 ? new RateLimiter(policy.tokensPerMinute(), now) : null;
        this.lines = price == null ? new BudgetLine[0] : linesFor(name);
        this.slots = new Slot[policy.maxConcurrent()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot(i, 2);
        }
        for (BudgetLine line : lines) {
            ctx.metrics.budgetLine(this, null, line);
        }
    }

    private BudgetLine[] linesFor(String scopePrefix) {
        long nowMillis = ctx.nowMillis();
        List<BudgetLine> list = new ArrayList<>(2);
        if (policy.dailyHardMicros() > 0) {
            list.add(new BudgetLine(scopePrefix + "/day", false, policy.dailySoftMicros(), policy.dailyHardMicros(),
                    ctx.zone, nowMillis));
        }
        if (policy.monthlyHardMicros() > 0) {
            list.add(new BudgetLine(scopePrefix + "/month", true, policy.monthlySoftMicros(),
                    policy.monthlyHardMicros(), ctx.zone, nowMillis));
        }
        return list.toArray(new BudgetLine[0]);
    }

    private BudgetLine[] linesOf(@Nullable String tenant) {
        if (tenant == null || lines.length == 0) {
            return lines;
        }
        BudgetLine[] found = tenantLines.get(tenant);
        if (found != null) {
            return found;
        }
        return tenantLines.computeIfAbsent(tenant, t -> {
            BudgetLine[] created = linesFor(name + "/tenant/" + t);
            if (ctx.tenantTags) {
                for (BudgetLine line : created) {
                    ctx.metrics.budgetLine(this, t, line);
                }
            }
            return created;
        });
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

    /** The prices, or null when the model runs without a cost budget. */
    public @Nullable ModelPrice price() {
        return price;
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
        int n = 0;
        for (Slot slot : slots) {
            if (slot.owner.get() != 0) {
                n++;
            }
        }
        return n;
    }

    /** The hard limit of the tightest budget line, or 0 when the route has none. */
    public long smallestHardLimitMicros() {
        long min = 0;
        for (BudgetLine line : lines) {
            min = min == 0 ? line.hardMicros : Math.min(min, line.hardMicros);
        }
        return min;
    }

    /** The worst-case cost of a request on this model, micro-USD (0 without prices). */
    public long worstCaseMicros(long inputTokens, long maxOutputTokens) {
        return price == null ? 0 : price.worstCaseMicros(inputTokens, maxOutputTokens);
    }

    /**
     * Admits one call or refuses it.
     *
     * @param tokens       estimated input plus maximum output tokens
     * @param worstMicros  the worst-case cost to reserve
     * @param tenant       whose budget pays, or null for the model's
     * @return the stamp of the admitted call, positive
     * @throws RateLimitedException     when paused or over a per-minute limit
     * @throws ConcurrencyFullException when no place frees up within the bounded wait
     * @throws BudgetExceededException  when the worst case does not fit a hard budget
     * @throws BudgetStoreException     when the shared store cannot be reached (fail closed)
     */
    public long acquire(long tokens, long worstMicros, @Nullable String tenant) {
        BudgetLine[] budget = linesOf(tenant); // first: it may refuse a bad tenant before anything is taken
        long now = ctx.nanoTime();
        long paused = pause.remaining(now);
        if (paused > 0) {
            throw new RateLimitedException(provider, model, "provider_retry_after", Duration.ofNanos(paused));
        }
        RateLimiter r = rpm;
        if (r != null) {
            long wait = r.tryAcquire(1, now);
            if (wait != 0) {
                throw new RateLimitedException(provider, model, "requests_per_minute", waitOrNull(wait));
            }
        }
        RateLimiter t = tpm;
        if (t != null) {
            long wait = t.tryAcquire(tokens, now);
            if (wait != 0) {
                refundRate(now, 0);
                throw new RateLimitedException(provider, model, "tokens_per_minute", waitOrNull(wait));
            }
        }
        Slot slot = tryClaim();
        if (slot == null) {
            slot = awaitPlace(now);
            if (slot == null) {
                refundRate(now, tokens);
                throw new ConcurrencyFullException(provider, model, policy.maxConcurrent(), policy.maxWait());
            }
        }
        long stamp = stampOf(slot);
        slot.tokens = tokens;
        slot.acquiredNanos = now;
        slot.leaseDeadlineNanos = now + ctx.leaseNanos;
        slot.tenant = tenant;
        slot.lines = budget;
        slot.lineCount = 0;
        if (budget.length > 0) {
            try {
                reserve(slot, budget, worstMicros, now);
            } catch (RuntimeException refused) {
                unreserve(slot);
                freeSlot(slot);
                refundRate(now, tokens);
                throw refused;
            }
        }
        slot.owner.setRelease(stamp); // publishes the fields above to whoever CASes the stamp
        return stamp;
    }

    private static @Nullable Duration waitOrNull(long nanos) {
        return nanos == Long.MAX_VALUE ? null : Duration.ofNanos(nanos);
    }

    private @Nullable Slot awaitPlace(long now) {
        sweepExpired(now);
        Slot slot = tryClaim();
        long waitNanos = policy.maxWait().toNanos();
        if (slot != null || waitNanos == 0) {
            return slot;
        }
        // A real wait, so real time: the injected clock need not move while a thread parks.
        long deadline = System.nanoTime() + waitNanos;
        for (;;) {
            LockSupport.parkNanos(this, Math.min(50_000L, Math.max(1, deadline - System.nanoTime())));
            slot = tryClaim();
            if (slot != null || Thread.currentThread().isInterrupted() || System.nanoTime() - deadline >= 0) {
                return slot;
            }
        }
    }

    private void refundRate(long now, long tokens) {
        RateLimiter r = rpm;
        if (r != null) {
            r.adjust(-1, now);
        }
        RateLimiter t = tpm;
        if (t != null && tokens > 0) {
            t.adjust(-tokens, now);
        }
    }

    private @Nullable Slot tryClaim() {
        // The scan starts at a thread-dependent place so that threads do not contend for one slot.
        int n = slots.length;
        int start = (int) (((Thread.currentThread().getId() * 0x9E3779B9L) & 0xffff_ffffL) * n >>> 32);
        for (int i = 0; i < n; i++) {
            int at = start + i;
            Slot s = slots[at >= n ? at - n : at];
            if (s.owner.get() == 0 && s.owner.compareAndSet(0, Slot.BUSY)) {
                return s;
            }
        }
        return null;
    }

    private long stampOf(Slot slot) {
        // Only the holder of a BUSY slot touches its generation.
        int gen = (slot.generation + 1) & 0x7fff_ffff;
        if (gen == 0) {
            gen = 1;
        }
        slot.generation = gen;
        return ((long) index << 48) | ((long) slot.index << 32) | gen;
    }

    private void freeSlot(Slot slot) {
        slot.lines = null;
        slot.tenant = null;
        slot.reservationId = null;
        slot.owner.setRelease(0);
    }

    private void reserve(Slot slot, BudgetLine[] budget, long amount, long nowNanos) {
        long nowMillis = ctx.wallMillis(nowNanos);
        BudgetStore store = ctx.store;
        if (store != null) {
            slot.reservationId = ctx.nextReservationId();
        }
        for (int i = 0; i < budget.length; i++) {
            BudgetLine line = budget[i];
            PeriodCounter c = line.at(nowMillis);
            // Recorded in the slot before it counts, so a concurrent reader never sees spend that is a hold.
            slot.counters[i] = c;
            slot.reserved[i] = amount;
            long remaining;
            if (store == null) {
                remaining = reserveLocal(c, amount, line.hardMicros);
            } else {
                remaining = reserveShared(store, slot, i, c, amount, line.hardMicros, nowMillis);
            }
            if (remaining >= 0) {
                slot.counters[i] = null;
                refusedOnce(line, c, amount, remaining, slot.tenant);
                throw new BudgetExceededException(provider, model, line.limitName(), amount, remaining,
                        Duration.ofMillis(Math.max(0, c.endMillis - nowMillis)));
            }
            slot.lineCount = i + 1;
        }
    }

    /** Returns -1 when reserved, else what was left. */
    private long reserveLocal(PeriodCounter c, long amount, long hard) {
        for (;;) {
            long used = c.used.get();
            if (used > hard - amount) {
                return Math.max(0, hard - used);
            }
            if (c.used.compareAndSet(used, used + amount)) {
                return -1;
            }
        }
    }

    private long reserveShared(BudgetStore store, Slot slot, int i, PeriodCounter c, long amount, long hard,
                               long nowMillis) {
        String id = slot.reservationId + (i == 0 ? "" : "-" + i);
        Admission a = store.reserve(c.key, id, amount, hard, Instant.ofEpochMilli(nowMillis),
                Instant.ofEpochMilli(nowMillis + ctx.leaseNanos / 1_000_000));
        c.spent.set(a.spentMicros());
        c.used.set(a.spentMicros() + a.reservedMicros());
        return a.admitted() ? -1 : a.remainingMicros();
    }

    private void unreserve(Slot slot) {
        BudgetStore store = ctx.store;
        for (int i = 0; i < slot.lineCount; i++) {
            PeriodCounter c = slot.counters[i];
            if (store == null) {
                c.used.addAndGet(-slot.reserved[i]);
            } else {
                try {
                    store.release(c.key, slot.reservationId + (i == 0 ? "" : "-" + i));
                } catch (BudgetStoreException e) {
                    warnStore("release", e); // the store's lease frees it later
                }
            }
            slot.counters[i] = null;
        }
        slot.lineCount = 0;
    }

    /**
     * Settles a call with its real usage: charges its cost to the budgets it reserved in, and the
     * difference between estimated and real tokens to the tokens-per-minute limit. A stamp whose
     * lease expired is charged to the model's current period instead; an unknown stamp is ignored.
     *
     * @return the cost charged, micro-USD
     */
    public long complete(long stamp, TokenUsage usage, String operation) {
        long cost = price == null ? 0 : price.costMicros(usage);
        Slot slot = slotOf(stamp);
        if (slot == null || !slot.owner.compareAndSet(stamp, Slot.BUSY)) {
            chargeLate(cost);
            ctx.metrics.usage(this, operation, null, usage, cost);
            return cost;
        }
        RateLimiter t = tpm;
        long extra = usage.totalTokens() - slot.tokens;
        if (t != null && extra != 0) {
            // A refund needs no fresh time: giving back below the bucket's floor is a no-op anyway.
            t.adjust(extra, extra > 0 ? ctx.nanoTime() : slot.acquiredNanos);
        }
        String tenant = slot.tenant;
        settle(slot, cost);
        freeSlot(slot);
        ctx.metrics.usage(this, operation, ctx.tenantTags ? tenant : null, usage, cost);
        return cost;
    }

    /**
     * Settles a call whose outcome is unknown (a timeout: the provider may have done the work) by
     * charging what it reserved.
     */
    public void chargeReserved(long stamp) {
        Slot slot = slotOf(stamp);
        if (slot == null || !slot.owner.compareAndSet(stamp, Slot.BUSY)) {
            return;
        }
        long reservedAmount = slot.lineCount > 0 ? slot.reserved[0] : 0;
        settle(slot, reservedAmount);
        freeSlot(slot);
    }

    /**
     * Ends a call that never reached the provider: its reservation is dropped and its per-minute
     * permits are given back, except the request itself when {@code sent} (the provider saw it, e.g.
     * a 429). An unknown or stale stamp is ignored.
     */
    public void release(long stamp, boolean sent) {
        Slot slot = slotOf(stamp);
        if (slot == null || !slot.owner.compareAndSet(stamp, Slot.BUSY)) {
            return;
        }
        long now = ctx.nanoTime();
        RateLimiter t = tpm;
        if (t != null) {
            t.adjust(-slot.tokens, now);
        }
        if (!sent && rpm != null) {
            rpm.adjust(-1, now);
        }
        unreserve(slot);
        freeSlot(slot);
    }

    private @Nullable Slot slotOf(long stamp) {
        if (stamp <= 0 || (int) (stamp >>> 48) != index) {
            return null;
        }
        int i = (int) ((stamp >>> 32) & 0xffff);
        return i < slots.length ? slots[i] : null;
    }

    private void settle(Slot slot, long cost) {
        BudgetStore store = ctx.store;
        long nowMillis = store == null ? 0 : ctx.nowMillis();
        @Nullable BudgetLine[] budget = slot.lines;
        for (int i = 0; i < slot.lineCount; i++) {
            PeriodCounter c = slot.counters[i];
            BudgetLine line = budget == null ? null : budget[i];
            long spent;
            if (store == null) {
                // One atomic add: spend is what is used minus what calls in flight hold, worked out
                // only when the soft limit may have been crossed.
                long used = c.used.addAndGet(cost - slot.reserved[i]);
                slot.counters[i] = null;
                if (line == null || used < line.softMicros || c.softWarned.get()) {
                    continue;
                }
                spent = used - reservedInFlight(c);
            } else {
                try {
                    store.reconcile(c.key, slot.reservationId + (i == 0 ? "" : "-" + i), cost,
                            Instant.ofEpochMilli(nowMillis));
                } catch (BudgetStoreException e) {
                    warnStore("reconcile", e);
                }
                c.used.addAndGet(cost - slot.reserved[i]);
                spent = c.spent.addAndGet(cost);
            }
            if (line != null && spent >= line.softMicros && c.softWarned.compareAndSet(false, true)) {
                announce(line, c, "budget.soft_limit", Severity.WARNING, "crossed its soft limit of "
                        + usd(line.softMicros) + " USD: spent " + usd(spent) + " USD", slot.tenant);
            }
            slot.counters[i] = null;
        }
        slot.lineCount = 0;
    }

    /** What calls in flight hold in {@code c}: a scan of the slots, for reports and the soft limit. */
    private long reservedInFlight(PeriodCounter c) {
        long sum = 0;
        for (Slot slot : slots) {
            if (slot.owner.get() != 0) {
                PeriodCounter[] counters = slot.counters;
                for (int j = 0; j < counters.length; j++) {
                    if (counters[j] == c) {
                        sum += slot.reserved[j];
                    }
                }
            }
        }
        return sum;
    }

    private void chargeLate(long cost) {
        if (cost == 0 || lines.length == 0) {
            return;
        }
        if (leaseWarned.compareAndSet(false, true)) {
            log.warn("{}: a call reported back after its reservation expired; charging {} USD to the model's current "
                    + "period (further ones are logged at DEBUG)", name, usd(cost));
        } else {
            log.debug("{}: late report charged {} USD", name, usd(cost));
        }
        long nowMillis = ctx.nowMillis();
        BudgetStore store = ctx.store;
        for (BudgetLine line : lines) {
            PeriodCounter c = line.at(nowMillis);
            c.used.addAndGet(cost);
            if (store != null) {
                c.spent.addAndGet(cost);
                String id = ctx.nextReservationId() + "-late";
                try {
                    // The SPI records spend only through a reservation: reserve without a limit, then settle.
                    store.reserve(c.key, id, cost, Long.MAX_VALUE, Instant.ofEpochMilli(nowMillis),
                            Instant.ofEpochMilli(nowMillis + ctx.leaseNanos / 1_000_000));
                    store.reconcile(c.key, id, cost, Instant.ofEpochMilli(nowMillis));
                } catch (BudgetStoreException e) {
                    warnStore("late charge", e);
                }
            }
        }
    }

    /**
     * Frees the places and reservations of calls whose lease ended without a report (a hung or
     * forgotten call). Runs when admission finds every place taken or a budget full.
     *
     * @return how many were reclaimed
     */
    public int sweepExpired(long nowNanos) {
        int reclaimed = 0;
        for (Slot slot : slots) {
            long stamp = slot.owner.get();
            if (stamp > 0 && slot.leaseDeadlineNanos - nowNanos < 0 && slot.owner.compareAndSet(stamp, Slot.BUSY)) {
                if (leaseWarned.compareAndSet(false, true)) {
                    log.warn("{}: a call held its reservation past the lease of {} s without reporting back; reclaimed "
                            + "(further ones are logged at DEBUG)", name, ctx.leaseNanos / 1_000_000_000L);
                } else {
                    log.debug("{}: reclaimed an expired reservation", name);
                }
                unreserve(slot);
                freeSlot(slot);
                reclaimed++;
            }
        }
        return reclaimed;
    }

    private void refusedOnce(BudgetLine line, PeriodCounter c, long amount, long remaining, @Nullable String tenant) {
        if (c.hardRefused.compareAndSet(false, true)) {
            announce(line, c, "budget.hard_limit", Severity.CRITICAL, "refused a call at its hard limit of "
                    + usd(line.hardMicros) + " USD: needed " + usd(amount) + " USD, " + usd(remaining) + " USD left",
                    tenant);
        }
    }

    private void announce(BudgetLine line, PeriodCounter c, String type, Severity severity, String what,
                          @Nullable String tenant) {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        labels.put("provider", provider);
        labels.put("model", model);
        labels.put("period", c.key.period());
        labels.put("scope", line.scope);
        if (tenant != null) {
            labels.put("tenant", tenant);
        }
        try {
            ctx.notifier.notify(new OpsEvent("budget:" + line.scope, type, severity,
                    "AI budget " + line.scope + " for " + c.key.period() + " " + what, labels, ctx.clock.instant()));
        } catch (RuntimeException e) {
            log.warn("{}: notifier failed on {}: {}", name, type, e.toString());
        }
    }

    private void warnStore(String operation, BudgetStoreException e) {
        if (storeWarned.compareAndSet(false, true)) {
            log.warn("{}: budget store {} failed: {}", name, operation, e.getMessage());
        } else {
            log.debug("{}: budget store {} failed: {}", name, operation, e.getMessage());
        }
    }

    /**
     * The state of every budget line of this model (and its tenants) in the current period.
     *
     * @throws BudgetStoreException when the shared store cannot be read
     */
    public List<BudgetStatus> budgets() {
        List<BudgetStatus> out = new ArrayList<>();
        List<BudgetLine> all = new ArrayList<>(List.of(lines));
        tenantLines.values().forEach(ls -> all.addAll(List.of(ls)));
        long nowMillis = ctx.nowMillis();
        for (BudgetLine line : all) {
            PeriodCounter c = line.at(nowMillis);
            long spent;
            long reserved;
            BudgetStore store = ctx.store;
            if (store == null) {
                reserved = reservedInFlight(c);
                spent = Math.max(0, c.used.get() - reserved);
            } else {
                BudgetUsage u = store.usage(c.key, Instant.ofEpochMilli(nowMillis));
                spent = u.spentMicros();
                reserved = u.reservedMicros();
                c.spent.set(spent);
                c.used.set(spent + reserved);
            }
            out.add(new BudgetStatus(line.scope, c.key.period(), spent, reserved, line.softMicros, line.hardMicros));
        }
        return out;
    }

    /** The remaining micro-USD of a line's current period as last seen (no store round trip). */
    public long remainingMicros(BudgetLine line) {
        PeriodCounter c = line.at(ctx.nowMillis());
        return Math.max(0, line.hardMicros - c.used.get());
    }

    /** The model-level budget lines. */
    public List<BudgetLine> lines() {
        return List.of(lines);
    }

    private static String usd(long micros) {
        return java.math.BigDecimal.valueOf(micros, 6).toPlainString();
    }
}
