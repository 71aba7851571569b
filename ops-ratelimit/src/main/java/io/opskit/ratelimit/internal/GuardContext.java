package io.opskit.ratelimit.internal;

import io.opskit.api.Ticker;
import io.opskit.api.budget.BudgetStore;
import io.opskit.api.notify.Notifier;
import io.opskit.ratelimit.BudgetLimits;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * What every route of one guard shares: time sources, zone, the ledger, the app's and providers'
 * budget lines, the tenants, lease time and metrics. Immutable apart from the id sequence.
 */
public final class GuardContext {

    final Clock clock;
    final Ticker ticker;
    final ZoneId zone;
    final Ledger ledger;
    final boolean shared;
    final long leaseNanos;
    final GuardMetrics metrics;
    final boolean tenantTags;
    private final int maxTaggedTenants;
    private final java.util.Set<String> taggedTenants = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final @Nullable Tenants tenants;
    final String instanceId;
    final AtomicLong sequence = new AtomicLong();
    final BudgetLine[] appLines;
    final Map<String, BudgetLine[]> providerLines = new HashMap<>();
    final List<BudgetLine> allFixedLines = new ArrayList<>();

    /**
     * @param store           the shared store, or null for the in-memory ledger
     * @param settleBacklog   settlements that may wait for the store before admissions are refused
     * @param appBudget       the whole app's budget, or null
     * @param providerBudgets budgets per provider name
     * @param tenantBudget    each tenant's budget, or null for no tenant lines
     * @param maxTenants      tenants tracked at once
     * @param instanceId      a unique prefix for reservation ids (at most 40 characters)
     */
    public GuardContext(Clock clock, Ticker ticker, ZoneId zone, @Nullable BudgetStore store, int settleBacklog,
                        long leaseNanos, List<Notifier> notifiers, GuardMetrics metrics, int maxTaggedTenants,
                        @Nullable BudgetLimits appBudget, Map<String, BudgetLimits> providerBudgets,
                        @Nullable BudgetLimits tenantBudget, int maxTenants, String instanceId) {
        this.clock = clock;
        this.ticker = ticker;
        this.zone = zone;
        BudgetEvents events = new BudgetEvents(notifiers, clock);
        this.ledger = store == null ? new LocalLedger(events) : new SharedLedger(store, events, clock, settleBacklog);
        this.shared = store != null;
        this.leaseNanos = leaseNanos;
        this.metrics = metrics;
        this.tenantTags = maxTaggedTenants > 0;
        this.maxTaggedTenants = maxTaggedTenants;
        this.instanceId = instanceId;
        long now = clock.millis();
        this.appLines = lines(BudgetLine.Level.APP, "app", appBudget, now);
        providerBudgets.forEach((p, limits) -> providerLines.put(p,
                lines(BudgetLine.Level.PROVIDER, "provider/" + p, limits, now)));
        allFixedLines.addAll(List.of(appLines));
        providerLines.values().forEach(ls -> allFixedLines.addAll(List.of(ls)));
        this.tenants = tenantBudget == null ? null : new Tenants(maxTenants,
                t -> lines(BudgetLine.Level.TENANT, "tenant/" + t, tenantBudget, clock.millis()), shared);
    }

    BudgetLine[] lines(BudgetLine.Level level, String prefix, @Nullable BudgetLimits limits, long nowMillis) {
        if (limits == null) {
            return new BudgetLine[0];
        }
        List<BudgetLine> list = new ArrayList<>(2);
        if (limits.dailyHard().isPresent()) {
            list.add(new BudgetLine(level, prefix + "/day", false, limits.dailySoft().orElseThrow().micros(),
                    limits.dailyHard().orElseThrow().micros(), zone, nowMillis));
        }
        if (limits.monthlyHard().isPresent()) {
            list.add(new BudgetLine(level, prefix + "/month", true, limits.monthlySoft().orElseThrow().micros(),
                    limits.monthlyHard().orElseThrow().micros(), zone, nowMillis));
        }
        return list.toArray(new BudgetLine[0]);
    }

    /**
     * The tenant tag for a metric: the tenant while fewer than the cap are tagged, {@code "other"}
     * beyond it, null without tenant tags.
     */
    public @Nullable String tenantTag(@Nullable String tenant) {
        if (tenant == null || !tenantTags) {
            return null;
        }
        if (taggedTenants.contains(tenant)) {
            return tenant;
        }
        synchronized (taggedTenants) {
            if (taggedTenants.size() < maxTaggedTenants) {
                taggedTenants.add(tenant);
                return tenant;
            }
        }
        return "other";
    }

    /** The injected ticker, nanoseconds. */
    public long nanoTime() {
        return ticker.read();
    }

    /** Wall-clock epoch milliseconds, for budget periods and leases. */
    public long nowMillis() {
        return clock.millis();
    }

    /** The injected wall clock. */
    public Clock clock() {
        return clock;
    }

    /** The metrics sink. */
    public GuardMetrics metrics() {
        return metrics;
    }

    /** True when metrics may carry a tenant tag. */
    public boolean tenantTags() {
        return tenantTags;
    }

    /** True when budgets live in a shared store. */
    public boolean sharedLedger() {
        return shared;
    }

    /** The app's budget lines. */
    public List<BudgetLine> appLines() {
        return List.of(appLines);
    }

    /** The app's and providers' budget lines. */
    public List<BudgetLine> fixedLines() {
        return List.copyOf(allFixedLines);
    }

    /** Every tracked tenant's budget lines. */
    public List<BudgetLine> tenantLines() {
        List<BudgetLine> out = new ArrayList<>();
        if (tenants != null) {
            for (Tenants.Entry e : tenants.all()) {
                out.addAll(List.of(e.lines));
            }
        }
        return out;
    }

    /** How many settlements wait for the shared store. */
    public int pendingSettlements() {
        return ledger.pendingSettlements();
    }

    /** Retries the settlements that wait for the store; returns how many still wait. */
    public int deliverPending() {
        return ledger.deliverPending();
    }

    /**
     * Reads a line's current period from the store (a no-op for the in-memory ledger).
     *
     * @throws io.opskit.api.budget.BudgetStoreException when the store cannot be read
     */
    public void refresh(BudgetLine line) {
        long now = nowMillis();
        ledger.refresh(line, line.at(now), now);
    }

    /** Spent micro-USD of a line's current period (as last seen for a shared store). */
    public long spentMicros(BudgetLine line) {
        return line.at(nowMillis()).spent;
    }

    /** Reserved micro-USD of a line's current period (as last seen for a shared store). */
    public long reservedMicros(BudgetLine line) {
        return line.at(nowMillis()).reserved;
    }

    /** Remaining micro-USD of a line's current period (as last seen for a shared store). */
    public long remainingMicros(BudgetLine line) {
        return line.at(nowMillis()).remaining(line.hardMicros);
    }

    /** The period name of a line's current period, e.g. {@code "2026-12-01"}. */
    public String period(BudgetLine line) {
        return line.at(nowMillis()).key.period();
    }

    /** Finishes the ledger (a last delivery of waiting settlements). */
    public void close() {
        ledger.close();
    }

    String nextReservationId() {
        return instanceId + "-" + sequence.incrementAndGet();
    }
}
