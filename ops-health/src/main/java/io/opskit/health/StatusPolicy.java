package io.opskit.health;

import io.opskit.api.health.HealthStatus;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How check statuses combine into an aggregate, and which HTTP status code each aggregate gets.
 *
 * <p>The rule: a critical check contributes its own status; a non-critical check contributes
 * {@code UP} when it is up and otherwise the better of its status and {@code DEGRADED} (a failing
 * non-critical dependency degrades the service but does not take it down). The aggregate is the
 * worst contribution under the {@linkplain #order() order}; an empty group is {@code UP}.
 *
 * <p>Defaults: order {@code DOWN, OUT_OF_SERVICE, UNKNOWN, DEGRADED, UP} (worst first); HTTP
 * {@code UP 200, DEGRADED 200, UNKNOWN 503, OUT_OF_SERVICE 503, DOWN 503}.
 *
 * <p>Immutable and thread-safe; {@link #order(HealthStatus...)} and
 * {@link #httpStatus(HealthStatus, int)} return validated copies.
 */
public final class StatusPolicy {

    private static final StatusPolicy DEFAULTS = new StatusPolicy(
            List.of(HealthStatus.DOWN, HealthStatus.OUT_OF_SERVICE, HealthStatus.UNKNOWN, HealthStatus.DEGRADED,
                    HealthStatus.UP),
            Map.of(HealthStatus.UP, 200, HealthStatus.DEGRADED, 200, HealthStatus.UNKNOWN, 503,
                    HealthStatus.OUT_OF_SERVICE, 503, HealthStatus.DOWN, 503));

    private final List<HealthStatus> order;
    private final int[] rank = new int[HealthStatus.values().length];
    private final int[] http = new int[HealthStatus.values().length];

    private StatusPolicy(List<HealthStatus> worstFirst, Map<HealthStatus, Integer> httpCodes) {
        this.order = List.copyOf(worstFirst);
        for (int i = 0; i < order.size(); i++) {
            rank[order.get(i).ordinal()] = order.size() - 1 - i;
        }
        for (Map.Entry<HealthStatus, Integer> e : httpCodes.entrySet()) {
            http[e.getKey().ordinal()] = e.getValue();
        }
    }

    /** The default order and HTTP mapping described in the class comment. */
    public static StatusPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * A copy with another aggregation order, worst first. It must name every status once and end
     * with {@code UP}.
     *
     * @throws IllegalArgumentException when a status is missing or repeated, or {@code UP} is not last
     */
    public StatusPolicy order(HealthStatus... worstFirst) {
        Objects.requireNonNull(worstFirst, "worstFirst");
        for (int i = 0; i < worstFirst.length; i++) {
            Objects.requireNonNull(worstFirst[i], "worstFirst[" + i + "]");
        }
        List<HealthStatus> list = List.of(worstFirst);
        if (list.size() != HealthStatus.values().length || EnumSet.copyOf(list).size() != list.size()) {
            throw new IllegalArgumentException("order must name every status exactly once: " + list);
        }
        if (list.get(list.size() - 1) != HealthStatus.UP) {
            throw new IllegalArgumentException("order must end with UP (the best status): " + list);
        }
        return new StatusPolicy(list, httpCodes());
    }

    /**
     * A copy that answers {@code status} with HTTP {@code code}.
     *
     * @throws IllegalArgumentException when {@code code} is not between 200 and 599
     */
    public StatusPolicy httpStatus(HealthStatus status, int code) {
        Objects.requireNonNull(status, "status");
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("httpStatus must be between 200 and 599: " + code);
        }
        Map<HealthStatus, Integer> codes = httpCodes();
        codes.put(status, code);
        return new StatusPolicy(order, codes);
    }

    /** The aggregation order, worst first. */
    public List<HealthStatus> order() {
        return order;
    }

    /** The HTTP status code for an aggregate status. */
    public int httpStatus(HealthStatus status) {
        return http[status.ordinal()];
    }

    /** True when {@code a} is worse than {@code b} under this order. */
    public boolean isWorse(HealthStatus a, HealthStatus b) {
        return rank[a.ordinal()] > rank[b.ordinal()];
    }

    /**
     * What one check contributes to the aggregate (see the class comment).
     *
     * @param status   the check's status
     * @param critical whether the check is critical
     */
    public HealthStatus contribution(HealthStatus status, boolean critical) {
        if (critical || status == HealthStatus.UP) {
            return status;
        }
        return isWorse(status, HealthStatus.DEGRADED) ? HealthStatus.DEGRADED : status;
    }

    /**
     * The aggregate of some check results; {@code UP} when there are none.
     *
     * @param results the results, in any order
     */
    public HealthStatus aggregate(Iterable<CheckResult> results) {
        HealthStatus worst = HealthStatus.UP;
        for (CheckResult result : results) {
            HealthStatus c = contribution(result.status(), result.critical());
            if (isWorse(c, worst)) {
                worst = c;
            }
        }
        return worst;
    }

    private Map<HealthStatus, Integer> httpCodes() {
        Map<HealthStatus, Integer> codes = new EnumMap<>(HealthStatus.class);
        for (HealthStatus s : HealthStatus.values()) {
            codes.put(s, http[s.ordinal()]);
        }
        return codes;
    }

    @Override
    public String toString() {
        List<String> codes = new ArrayList<>();
        for (HealthStatus s : order) {
            codes.add(s + "=" + http[s.ordinal()]);
        }
        return "StatusPolicy{worstFirst=" + codes + '}';
    }
}
