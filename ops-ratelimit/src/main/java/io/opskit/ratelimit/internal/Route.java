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
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
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
 * <p>Thread-safe. Admission takes a gate (a spin lock held for a few field updates, never across a
 * store round trip, a notifier or a wait) and decides every local limit under it: one atomic
 * instruction for four limits, where a lock-free limiter per limit would pay one for each, and an
 * all-or-nothing decision without give-backs racing other admissions. The places for concurrent
 * calls are the slots themselves. Ending a call takes no gate: the caller leaves its real usage in
 * its slot ({@link Slot#DONE}) and the next admission that needs the slot, or any refusal, folds it
 * in. A caller that finds every place taken and may wait polls for a free one every 50 µs until its
 * bounded wait ends; polling keeps the ending side free of any hand-off (a {@code Semaphore} would
 * add a CAS on both sides of every call and a queue node for every waiter).
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
    /** Guards the rate limits' state, the budget counters and the claiming and folding of slots. */
    private final Gate gate;

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
        this.rpm = policy.requestsPerMinute() > 0 ? new RateLimiter(policy.requestsPerMinute()) : null;
        this.tpm = policy.tokensPerMinute() > 0 ? new RateLimiter(policy.tokensPerMinute()) : null;
        this.gate = new Gate(rpm == null ? 0 : rpm.full(now), tpm == null ? 0 : tpm.full(now));
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
            long owner = slot.owner.get();
            if (owner != Slot.FREE && owner != Slot.DONE) {
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
        long nowMillis = budget.length == 0 ? 0 : ctx.wallMillis(now);
        boolean local = budget.length > 0 && ctx.store == null;
        long rate;
        Slot slot = null;
        int refused = -1;
        lock(); // the common path takes the gate once: rates, a place and the in-memory budgets
        try {
            rate = takeRate(tokens, now);
            if (rate != 0 && foldAll(now)) {
                rate = takeRate(tokens, now); // calls that ended gave permits back
            }
            if (rate == 0) {
                slot = claim(now);
                if (slot != null && local) {
                    refused = reserveLocal(slot, budget, worstMicros, now, nowMillis);
                }
            }
        } finally {
            unlock();
        }
        if (rate != 0) {
            throw rate > 0
                    ? new RateLimitedException(provider, model, "requests_per_minute", waitOrNull(rate))
                    : new RateLimitedException(provider, model, "tokens_per_minute", waitOrNull(-rate));
        }
        if (slot == null) {
            slot = awaitPlace(now);
            lock();
            try {
                if (slot == null) {
                    refundRate(now, tokens);
                } else if (local) {
                    refused = reserveLocal(slot, budget, worstMicros, now, nowMillis);
                }
            } finally {
                unlock();
            }
            if (slot == null) {
                throw new ConcurrencyFullException(provider, model, policy.maxConcurrent(), policy.maxWait());
            }
        }
        if (refused >= 0) {
            refuseBudget(slot, budget, refused, tokens, worstMicros, now, nowMillis, tenant); // or retries
        }
        long stamp = stampOf(slot);
        slot.tokens = tokens;
        slot.leaseDeadlineNanos = now + ctx.leaseNanos;
        slot.tenant = tenant;
        slot.lines = budget;
        if (budget.length > 0 && !local) {
            reserveShared(slot, budget, worstMicros, now, nowMillis);
        }
        slot.owner.setRelease(stamp); // publishes the fields above to whoever CASes the stamp
        return stamp;
    }

    private static @Nullable Duration waitOrNull(long nanos) {
        return nanos == Long.MAX_VALUE ? null : Duration.ofNanos(nanos);
    }

    // ------------------------------------------------------------------------------------- the gate

    private void lock() {
        gate.lock();
    }

    private void unlock() {
        gate.unlock();
    }

    /**
     * Under the gate: takes a request permit and the estimate's token permits, or neither.
     *
     * @return 0 when taken; a positive wait when requests per minute refused, the negated wait when
     *         tokens per minute did
     */
    private long takeRate(long tokens, long now) {
        RateLimiter r = rpm;
        long rpmNext = 0;
        if (r != null) {
            rpmNext = r.take(gate.rpmArrival, 1, now);
            long wait = RateLimiter.waitNanos(rpmNext, now);
            if (wait != 0) {
                return wait;
            }
        }
        RateLimiter t = tpm;
        if (t != null) {
            long tpmNext = t.take(gate.tpmArrival, tokens, now);
            long wait = RateLimiter.waitNanos(tpmNext, now);
            if (wait != 0) {
                return -wait;
            }
            gate.tpmArrival = tpmNext;
        }
        if (r != null) {
            gate.rpmArrival = rpmNext;
        }
        return 0;
    }

    /** Under the gate: gives back a request permit and {@code tokens} token permits. */
    private void refundRate(long now, long tokens) {
        adjustRequests(-1, now);
        adjustTokens(-tokens, now);
    }

    private void adjustRequests(long permits, long now) {
        RateLimiter r = rpm;
        if (r != null) {
            gate.rpmArrival = r.adjust(gate.rpmArrival, permits, now);
        }
    }

    private void adjustTokens(long permits, long now) {
        RateLimiter t = tpm;
        if (t != null) {
            gate.tpmArrival = t.adjust(gate.tpmArrival, permits, now);
        }
    }

    /**
     * Under the gate: claims a free place, or a done one after folding it in. The scan starts at a
     * thread-dependent place, so that threads keep to their own slots and cache lines.
     */
    private @Nullable Slot claim(long now) {
        int n = slots.length;
        int start = (int) (((Thread.currentThread().getId() * 0x9E3779B9L) & 0xffff_ffffL) * n >>> 32);
        for (int i = 0; i < n; i++) {
            int at = start + i;
            Slot s = slots[at >= n ? at - n : at];
            long owner = s.owner.getAcquire();
            if (owner == Slot.DONE) {
                fold(s, now);
            } else if (owner != Slot.FREE) {
                continue;
            }
            s.owner.setOpaque(Slot.BUSY);
            return s;
        }
        return null;
    }

    /**
     * Under the gate: applies what an ended call left in its slot. Its budgets get its real cost in
     * place of its reservation, and the tokens-per-minute limit the difference from its estimate;
     * an unsent call gives its request permit back.
     */
    private void fold(Slot s, long now) {
        for (int i = 0; i < s.lineCount; i++) {
            PeriodCounter c = s.counters[i];
            addUsed(c, s.doneCost - s.reserved[i], s.lines == null ? Long.MAX_VALUE : s.lines[i].softMicros);
            s.counters[i] = null;
        }
        s.lineCount = 0;
        adjustTokens(s.doneTokens - s.tokens, now);
        if (s.doneUnsent) {
            adjustRequests(-1, now);
        }
        s.lines = null;
        s.tenant = null;
        s.reservationId = null;
    }

    /**
     * Under the gate: folds every done slot. An ended call only ever gives back (a call that used
     * more than its estimate or its reservation is folded at once, see {@link #finish}), so a
     * pending fold can only make admission stricter; before any refusal the route folds them all.
     *
     * @return whether anything was folded
     */
    private boolean foldAll(long now) {
        boolean any = false;
        for (Slot s : slots) {
            if (s.owner.getAcquire() == Slot.DONE) {
                fold(s, now);
                s.owner.setRelease(Slot.FREE);
                any = true;
            }
        }
        return any;
    }

    // ------------------------------------------------------------------------------------- places

    private @Nullable Slot awaitPlace(long now) {
        sweepExpired(now);
        Slot slot = claimUnderGate(now);
        long waitNanos = policy.maxWait().toNanos();
        if (slot != null || waitNanos == 0) {
            return slot;
        }
        // A real wait, so real time: the injected clock need not move while a thread parks.
        long deadline = System.nanoTime() + waitNanos;
        for (;;) {
            LockSupport.parkNanos(this, Math.min(50_000L, Math.max(1, deadline - System.nanoTime())));
            slot = claimUnderGate(now);
            if (slot != null || Thread.currentThread().isInterrupted() || System.nanoTime() - deadline >= 0) {
                return slot;
            }
        }
    }

    private @Nullable Slot claimUnderGate(long now) {
        lock();
        try {
            return claim(now);
        } finally {
            unlock();
        }
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

    /** Under the gate: frees a claimed slot that never held a call. */
    private static void freeClaimed(Slot slot) {
        slot.lines = null;
        slot.tenant = null;
        slot.reservationId = null;
        slot.lineCount = 0;
        slot.owner.setRelease(Slot.FREE);
    }

    // ------------------------------------------------------------------------------------- budgets

    /**
     * Under the gate: reserves {@code amount} in every line, or in none. Before refusing it folds
     * ended calls, which may have freed budget.
     *
     * @return -1 when reserved, else the index of the line that refused
     */
    private int reserveLocal(Slot slot, BudgetLine[] budget, long amount, long now, long nowMillis) {
        int refused = firstRefusal(budget, amount, nowMillis);
        if (refused >= 0 && foldAll(now)) {
            refused = firstRefusal(budget, amount, nowMillis);
        }
        if (refused >= 0) {
            return refused;
        }
        for (int i = 0; i < budget.length; i++) {
            PeriodCounter c = counterAt(budget, i, nowMillis);
            addUsed(c, amount, budget[i].softMicros);
            slot.counters[i] = c;
            slot.reserved[i] = amount;
        }
        slot.lineCount = budget.length;
        return -1;
    }

    /**
     * Outside the gate, with a claimed slot and the rate permits held: sweeps expired leases (which
     * may free budget) and tries once more; otherwise gives everything back and refuses.
     */
    private void refuseBudget(Slot slot, BudgetLine[] budget, int refused, long tokens, long amount, long now,
                              long nowMillis, @Nullable String tenant) {
        int swept = sweepExpired(now);
        BudgetLine line;
        PeriodCounter c;
        long remaining;
        lock();
        try {
            if (swept > 0) {
                foldAll(now);
                refused = reserveLocal(slot, budget, amount, now, nowMillis);
                if (refused < 0) {
                    return;
                }
            }
            line = budget[refused];
            c = counterAt(budget, refused, nowMillis);
            remaining = Math.max(0, line.hardMicros - used(c));
            refundRate(now, tokens);
            freeClaimed(slot);
        } finally {
            unlock();
        }
        refusedOnce(line, c, amount, remaining, tenant);
        throw new BudgetExceededException(provider, model, line.limitName(), amount, remaining,
                Duration.ofMillis(Math.max(0, c.endMillis - nowMillis)));
    }

    /**
     * Under the gate: the counter of a budget line's period at {@code nowMillis}. The model's own
     * lines keep their current period's count in the gate, on the line admission already holds;
     * when a new period begins, the old count goes back to its counter.
     */
    private PeriodCounter counterAt(BudgetLine[] budget, int i, long nowMillis) {
        PeriodCounter c = budget[i].at(nowMillis);
        if (budget == lines && i < 2) {
            Gate g = gate;
            PeriodCounter here = i == 0 ? g.cur0 : g.cur1;
            if (c != here) {
                if (here != null) {
                    here.used.value = i == 0 ? g.used0 : g.used1;
                }
                if (i == 0) {
                    g.cur0 = c;
                    g.used0 = c.used.value;
                } else {
                    g.cur1 = c;
                    g.used1 = c.used.value;
                }
            }
        }
        return c;
    }

    /** Under the gate: what a period has used, micro-USD. */
    private long used(PeriodCounter c) {
        Gate g = gate;
        return c == g.cur0 ? g.used0 : c == g.cur1 ? g.used1 : c.used.value;
    }

    /** Under the gate: sets what a period has used. */
    private void setUsed(PeriodCounter c, long micros) {
        Gate g = gate;
        if (c == g.cur0) {
            g.used0 = micros;
        } else if (c == g.cur1) {
            g.used1 = micros;
        } else {
            c.used.value = micros;
        }
    }

    /** Under the gate: adds to what a period has used, watching for its soft limit. */
    private void addUsed(PeriodCounter c, long delta, long softMicros) {
        long used = used(c) + delta;
        setUsed(c, used);
        if (delta > 0 && used >= softMicros && !c.nearSoft) {
            c.nearSoft = true; // once a period: the flag stays on a line admissions only read
        }
    }

    /** Under the gate: the first line {@code amount} does not fit, or -1. */
    private int firstRefusal(BudgetLine[] budget, long amount, long nowMillis) {
        for (int i = 0; i < budget.length; i++) {
            if (used(counterAt(budget, i, nowMillis)) > budget[i].hardMicros - amount) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Outside the gate: reserves in the shared store, one conditional write per line. A refusal (or
     * a store failure) drops what earlier lines reserved and gives the slot and permits back.
     */
    private void reserveShared(Slot slot, BudgetLine[] budget, long amount, long now, long nowMillis) {
        BudgetStore store = Objects.requireNonNull(ctx.store);
        slot.reservationId = ctx.nextReservationId();
        try {
            for (int i = 0; i < budget.length; i++) {
                BudgetLine line = budget[i];
                PeriodCounter c = line.at(nowMillis);
                Admission a = store.reserve(c.key, reservationOf(slot, i), amount, line.hardMicros,
                        Instant.ofEpochMilli(nowMillis), Instant.ofEpochMilli(nowMillis + ctx.leaseNanos / 1_000_000));
                c.spent.set(a.spentMicros());
                lock();
                try {
                    setUsed(c, a.spentMicros() + a.reservedMicros());
                    if (a.admitted()) {
                        slot.counters[i] = c;
                        slot.reserved[i] = amount;
                        slot.lineCount = i + 1;
                    }
                } finally {
                    unlock();
                }
                if (!a.admitted()) {
                    refusedOnce(line, c, amount, a.remainingMicros(), slot.tenant);
                    throw new BudgetExceededException(provider, model, line.limitName(), amount, a.remainingMicros(),
                            Duration.ofMillis(Math.max(0, c.endMillis - nowMillis)));
                }
            }
        } catch (RuntimeException refused) {
            releaseShared(slot);
            lock();
            try {
                for (int i = 0; i < slot.lineCount; i++) {
                    PeriodCounter c = slot.counters[i];
                    setUsed(c, used(c) - slot.reserved[i]);
                    slot.counters[i] = null;
                }
                refundRate(now, slot.tokens);
                freeClaimed(slot);
            } finally {
                unlock();
            }
            throw refused;
        }
    }

    private static String reservationOf(Slot slot, int line) {
        return slot.reservationId + (line == 0 ? "" : "-" + line);
    }

    /** Outside the gate: drops the slot's reservations from the shared store. */
    private void releaseShared(Slot slot) {
        BudgetStore store = ctx.store;
        if (store == null) {
            return;
        }
        for (int i = 0; i < slot.lineCount; i++) {
            try {
                store.release(slot.counters[i].key, reservationOf(slot, i));
            } catch (BudgetStoreException e) {
                warnStore("release", e); // the store's lease frees it later
            }
        }
    }

    // ------------------------------------------------------------------------------------- ending calls

    /**
     * Settles a call with its real usage: charges its cost to the budgets it reserved in, and the
     * difference between estimated and real tokens to the tokens-per-minute limit. A stamp whose
     * lease expired is charged to the model's current period instead; a stamp that already ended, or
     * is unknown, is ignored.
     *
     * @return the cost charged, micro-USD (0 when ignored)
     */
    public long complete(long stamp, TokenUsage usage, String operation) {
        long cost = price == null ? 0 : price.costMicros(usage);
        Slot slot = slotOf(stamp);
        if (slot == null || !slot.owner.compareAndSet(stamp, Slot.BUSY)) {
            if (slot == null || !slot.expired.compareAndSet(stamp, 0)) {
                return 0; // ended already, or never ours
            }
            chargeLate(cost);
            ctx.metrics.usage(this, operation, null, usage, cost);
            return cost;
        }
        String tenant = slot.tenant;
        finish(slot, cost, usage.totalTokens(), false);
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
        finish(slot, slot.lineCount > 0 ? slot.reserved[0] : 0, slot.tokens, false);
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
        releaseShared(slot);
        finish(slot, -1, 0, !sent);
    }

    /**
     * Ends the call in a slot this thread moved to {@code BUSY}. A call that gives back (the usual
     * case: real usage within the estimate) leaves its figures in the slot for the next admission to
     * fold in, so ending it takes no gate and touches no shared line; one that used more than it
     * reserved is folded at once, so that no admission ever runs on too low a count.
     *
     * @param cost   what to charge, micro-USD, or -1 to drop the reservation (already dropped from
     *               a shared store)
     * @param tokens tokens used
     * @param unsent the provider never saw the request
     */
    private void finish(Slot slot, long cost, long tokens, boolean unsent) {
        BudgetStore store = ctx.store;
        long charge = Math.max(0, cost);
        int lineCount = slot.lineCount;
        if (store != null && cost >= 0 && lineCount > 0) {
            settleShared(slot, store, charge);
        }
        boolean grows = tokens > slot.tokens || (lineCount > 0 && charge > slot.reserved[0]);
        boolean watch = false; // the in-memory ledger's soft limit may have been crossed
        for (int i = 0; i < lineCount && store == null && cost >= 0; i++) {
            PeriodCounter c = slot.counters[i];
            watch |= (grows || c.nearSoft) && !c.softWarned.get();
        }
        // Copied only on the rare way to a warning: the slot's fields go with it once it is ended.
        PeriodCounter[] counters = watch ? Arrays.copyOf(slot.counters, lineCount) : null;
        BudgetLine[] lines = watch ? slot.lines : null;
        String tenant = slot.tenant;
        slot.doneCost = charge;
        slot.doneTokens = tokens;
        slot.doneUnsent = unsent;
        if (grows) {
            lock();
            try {
                fold(slot, ctx.nanoTime());
                slot.owner.setRelease(Slot.FREE);
            } finally {
                unlock();
            }
        } else {
            slot.owner.setRelease(Slot.DONE);
        }
        if (counters != null && lines != null) {
            warnSoftLimit(lines, counters, tenant);
        }
    }

    /** Outside the gate: reconciles each line in the shared store and warns at the soft limit. */
    private void settleShared(Slot slot, BudgetStore store, long cost) {
        long nowMillis = ctx.nowMillis();
        for (int i = 0; i < slot.lineCount; i++) {
            PeriodCounter c = slot.counters[i];
            BudgetLine line = slot.lines[i];
            try {
                store.reconcile(c.key, reservationOf(slot, i), cost, Instant.ofEpochMilli(nowMillis));
            } catch (BudgetStoreException e) {
                warnStore("reconcile", e);
            }
            long spent = c.spent.addAndGet(cost);
            if (spent >= line.softMicros && c.softWarned.compareAndSet(false, true)) {
                announce(line, c, "budget.soft_limit", Severity.WARNING, "crossed its soft limit of "
                        + usd(line.softMicros) + " USD: spent " + usd(spent) + " USD", slot.tenant);
            }
        }
    }

    /**
     * The in-memory ledger's soft-limit check, taken only when a call may have crossed it: spend is
     * what is used minus what calls in flight hold, worked out under the gate after folding.
     */
    private void warnSoftLimit(BudgetLine[] lines, PeriodCounter[] counters, @Nullable String tenant) {
        long[] spent = new long[counters.length];
        lock();
        try {
            foldAll(ctx.nanoTime());
            for (int i = 0; i < counters.length; i++) {
                spent[i] = used(counters[i]) - reservedInFlight(counters[i]);
            }
        } finally {
            unlock();
        }
        for (int i = 0; i < counters.length; i++) {
            BudgetLine line = lines[i];
            PeriodCounter c = counters[i];
            if (spent[i] >= line.softMicros && c.softWarned.compareAndSet(false, true)) {
                announce(line, c, "budget.soft_limit", Severity.WARNING, "crossed its soft limit of "
                        + usd(line.softMicros) + " USD: spent " + usd(spent[i]) + " USD", tenant);
            }
        }
    }

    private @Nullable Slot slotOf(long stamp) {
        if (stamp <= 0 || (int) (stamp >>> 48) != index) {
            return null;
        }
        int i = (int) ((stamp >>> 32) & 0xffff);
        return i < slots.length ? slots[i] : null;
    }

    /**
     * Under the gate, after folding: what calls in flight hold in {@code c} (a slot being ended
     * still holds its reservation until it is folded).
     */
    private long reservedInFlight(PeriodCounter c) {
        long sum = 0;
        for (Slot slot : slots) {
            long owner = slot.owner.getAcquire();
            if (owner != Slot.FREE) {
                PeriodCounter[] counters = slot.counters;
                for (int j = 0; j < slot.lineCount; j++) {
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
            lock();
            try {
                addUsed(c, cost, line.softMicros);
            } finally {
                unlock();
            }
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
     * forgotten call). Runs when admission finds every place taken or a budget full. Called outside
     * the gate.
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
                releaseShared(slot);
                slot.expired.set(stamp);
                // Its reservation is dropped; its per-minute permits stay spent (the call may have run).
                slot.doneCost = 0;
                slot.doneTokens = slot.tokens;
                slot.doneUnsent = false;
                slot.owner.setRelease(Slot.DONE);
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
                lock();
                try {
                    foldAll(ctx.nanoTime());
                    reserved = reservedInFlight(c);
                    spent = Math.max(0, used(c) - reserved);
                } finally {
                    unlock();
                }
            } else {
                BudgetUsage u = store.usage(c.key, Instant.ofEpochMilli(nowMillis));
                spent = u.spentMicros();
                reserved = u.reservedMicros();
                c.spent.set(spent);
                lock();
                try {
                    setUsed(c, spent + reserved);
                } finally {
                    unlock();
                }
            }
            out.add(new BudgetStatus(line.scope, c.key.period(), spent, reserved, line.softMicros, line.hardMicros));
        }
        return out;
    }

    /** The remaining micro-USD of a line's current period as last seen (no store round trip). */
    public long remainingMicros(BudgetLine line) {
        PeriodCounter c = line.at(ctx.nowMillis());
        lock();
        try {
            foldAll(ctx.nanoTime());
            return Math.max(0, line.hardMicros - used(c));
        } finally {
            unlock();
        }
    }

    /** The model-level budget lines. */
    public List<BudgetLine> lines() {
        return List.of(lines);
    }

    private static String usd(long micros) {
        return java.math.BigDecimal.valueOf(micros, 6).toPlainString();
    }
}
