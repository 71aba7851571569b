package io.opskit.ratelimit.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The tenants the guard tracks, bounded by {@code maxTenants}. A tenant is entered for each call
 * and left when the call is settled or expires. When a new tenant arrives at the bound, an idle
 * one (no call in flight, and nothing the ledger must remember, see {@link #evictable}) is evicted;
 * when none is idle the new tenant is refused. Thread-safe.
 */
public final class Tenants {

    /** One tracked tenant: its budget lines and the calls it has in flight. */
    public static final class Entry {
        final String name;
        final BudgetLine[] lines;
        /** Calls in flight; -1 once evicted (an entry is never revived). */
        final AtomicInteger inFlight = new AtomicInteger();

        Entry(String name, BudgetLine[] lines) {
            this.name = name;
            this.lines = lines;
        }

        boolean enter() {
            for (;;) {
                int n = inFlight.get();
                if (n < 0) {
                    return false;
                }
                if (inFlight.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        void leave() {
            inFlight.decrementAndGet();
        }

        /** The tenant's name. */
        public String name() {
            return name;
        }
    }

    private final int maxTenants;
    private final Function<String, BudgetLine[]> linesFor;
    private final boolean sharedLedger;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /**
     * @param maxTenants   the most tenants tracked at once
     * @param linesFor     the budget lines of a new tenant
     * @param sharedLedger true when spend lives in a shared store, so any idle tenant may be evicted
     */
    Tenants(int maxTenants, Function<String, BudgetLine[]> linesFor, boolean sharedLedger) {
        this.maxTenants = maxTenants;
        this.linesFor = linesFor;
        this.sharedLedger = sharedLedger;
    }

    int maxTenants() {
        return maxTenants;
    }

    int size() {
        return entries.size();
    }

    /**
     * Enters {@code tenant} for one call.
     *
     * @return the entry, or empty when the tenant is new, the bound is reached and no tenant is idle
     */
    Optional<Entry> enter(String tenant) {
        for (;;) {
            Entry e = entries.get(tenant);
            if (e == null) {
                e = create(tenant);
                if (e == null) {
                    return Optional.empty();
                }
            }
            if (e.enter()) {
                return Optional.of(e);
            }
            entries.remove(tenant, e); // evicted meanwhile: make a fresh one
        }
    }

    private synchronized @Nullable Entry create(String tenant) {
        Entry e = entries.get(tenant);
        if (e != null) {
            return e;
        }
        if (entries.size() >= maxTenants && !evictOne()) {
            return null;
        }
        e = new Entry(tenant, linesFor.apply(tenant));
        entries.put(tenant, e);
        return e;
    }

    private boolean evictOne() {
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (evictable(e) && e.inFlight.compareAndSet(0, -1)) {
                it.remove();
                return true;
            }
        }
        return false;
    }

    /**
     * An idle tenant holds nothing: no call in flight and, with the in-memory ledger, no spend in its
     * current periods (forgetting that spend would let the tenant start over).
     */
    private boolean evictable(Entry e) {
        if (e.inFlight.get() != 0) {
            return false;
        }
        if (sharedLedger) {
            return true;
        }
        for (BudgetLine line : e.lines) {
            PeriodCounter c = line.current();
            if (c.spent != 0 || c.reserved != 0) {
                return false;
            }
        }
        return true;
    }

    /** Every tracked tenant's lines. */
    Iterable<Entry> all() {
        return entries.values();
    }
}
