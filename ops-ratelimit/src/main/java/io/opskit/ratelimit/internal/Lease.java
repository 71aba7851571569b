package io.opskit.ratelimit.internal;

import io.opskit.api.Usd;
import io.opskit.ratelimit.AiPermit;
import io.opskit.ratelimit.TokenUsage;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One admitted call: the place, permits and reservations it holds until it is settled once. Its
 * state moves {@code OPEN -> SETTLED}, or {@code OPEN -> EXPIRED} when its lease ends unreported and
 * then {@code EXPIRED -> SETTLED} when it reports late (charged to the current period). Each
 * transition is one CAS, so a report racing the sweep or a second report is decided once, and every
 * lease keeps its own state, so any number of expiries never drops a late report.
 */
public final class Lease implements AiPermit {

    static final int OPEN = 0;
    static final int EXPIRED = 1;
    static final int SETTLED = 2;

    final Route route;
    final Tenants.@Nullable Entry tenant;
    final long tokens;
    final long worstMicros;
    final BudgetLine[] lines;
    /** The period counter each line reserved in; filled by the ledger. */
    final PeriodCounter[] counters;
    final String reservationId;
    final long deadlineNanos;
    /** The lease end on the wall clock, epoch milliseconds, as the store knows it. */
    final long leaseUntilMillis;
    final String operation;
    /** The tenant tag for metrics, or null. */
    final @Nullable String tenantTag;
    final AtomicInteger state = new AtomicInteger(OPEN);

    Lease(Route route, Tenants.@Nullable Entry tenant, long tokens, long worstMicros, BudgetLine[] lines,
          String reservationId, long deadlineNanos, long leaseUntilMillis, String operation, @Nullable String tenantTag) {
        this.route = route;
        this.tenant = tenant;
        this.tokens = tokens;
        this.worstMicros = worstMicros;
        this.lines = lines;
        this.counters = new PeriodCounter[lines.length];
        this.reservationId = reservationId;
        this.deadlineNanos = deadlineNanos;
        this.leaseUntilMillis = leaseUntilMillis;
        this.operation = operation;
        this.tenantTag = tenantTag;
    }

    /** The id of this lease's reservation in line {@code i}. */
    String reservationId(int i) {
        return i == 0 ? reservationId : reservationId + "-" + i;
    }

    /** The route that admitted it. */
    public Route route() {
        return route;
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
    public Optional<String> tenant() {
        return tenant == null ? Optional.empty() : Optional.of(tenant.name);
    }

    @Override
    public Usd reserved() {
        return Usd.ofMicros(worstMicros);
    }

    @Override
    public Usd complete(TokenUsage usage) {
        Objects.requireNonNull(usage, "usage");
        return Usd.ofMicros(route.settle(this, Settlement.completed(usage)));
    }

    @Override
    public void release() {
        route.settle(this, Settlement.UNSENT);
    }

    @Override
    public void close() {
        if (state.get() == OPEN) {
            route.settle(this, Settlement.UNSENT);
        }
    }

    @Override
    public String toString() {
        return "AiPermit[" + route.name() + (tenant == null ? "" : ", tenant " + tenant.name) + ", reserved "
                + reserved() + "]";
    }
}
