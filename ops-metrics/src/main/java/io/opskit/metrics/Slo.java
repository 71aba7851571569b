package io.opskit.metrics;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A service-level objective over the requests the middleware measures.
 *
 * <ul>
 *   <li>{@link #availability(String, double) availability}: a request is good unless it answered a
 *       5xx status or none at all;</li>
 *   <li>{@link #latency(String, double, Duration) latency}: a request is good when it took at most
 *       the threshold.</li>
 * </ul>
 * The objective is the share of good requests to meet over a rolling {@link #window()} (default 30
 * days); its complement is the error budget. {@link #routes()} restricts it to some route templates
 * (default: all).
 *
 * <p>Requests that say nothing about the users' experience are left out by default, so that probes
 * and scrapes neither dilute the error ratio nor satisfy the minimum-event guard alone: routes under
 * {@link #DEFAULT_EXCLUDED_ROUTES} ({@code /health}, {@code /metrics}, {@code /admin} and everything
 * below them; change with {@link #withExcludedRoutes(Set)}), and requests the host refused on purpose
 * during maintenance (marked with {@link RequestMetrics#REFUSED_ATTRIBUTE}; count them as failures
 * with {@link #withRefusalsAsFailures(boolean)}).
 *
 * <p>Immutable and thread-safe; {@code with...} methods return a changed copy.
 */
public final class Slo {

    /** The default rolling window. */
    public static final Duration DEFAULT_WINDOW = Duration.ofDays(30);

    /** Route templates left out of every SLO unless changed: each and everything below it. */
    public static final Set<String> DEFAULT_EXCLUDED_ROUTES = Set.of("/health", "/metrics", "/admin");

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

    private final String name;
    private final double objective;
    private final @Nullable Duration latencyThreshold;
    private final Duration window;
    private final Set<String> routes;
    private final Set<String> excludedRoutes;
    private final boolean refusalsAsFailures;

    private Slo(String name, double objective, @Nullable Duration latencyThreshold, Duration window,
                Set<String> routes, Set<String> excludedRoutes, boolean refusalsAsFailures) {
        this.name = name;
        this.objective = objective;
        this.latencyThreshold = latencyThreshold;
        this.window = window;
        this.routes = routes;
        this.excludedRoutes = excludedRoutes;
        this.refusalsAsFailures = refusalsAsFailures;
    }

    /**
     * An availability SLO ({@code 0.999} for "99.9 % of requests succeed").
     *
     * @param name      lower-case letters, digits, {@code _} and {@code -}, starting with a letter; it
     *                  becomes a tag value and a Prometheus label
     * @param objective strictly between 0 and 1
     * @throws IllegalArgumentException naming the field and value when either is invalid
     */
    public static Slo availability(String name, double objective) {
        return new Slo(checkName(name), checkObjective(objective), null, DEFAULT_WINDOW, Set.of(), DEFAULT_EXCLUDED_ROUTES,
                false);
    }

    /**
     * A latency SLO ({@code 0.95} under 200 ms for "95 % of requests within 200 ms").
     *
     * @throws IllegalArgumentException naming the field and value when one is invalid; the threshold
     *                                  must be positive
     */
    public static Slo latency(String name, double objective, Duration threshold) {
        Objects.requireNonNull(threshold, "threshold");
        if (threshold.isNegative() || threshold.isZero()) {
            throw new IllegalArgumentException("threshold must be positive: " + threshold);
        }
        return new Slo(checkName(name), checkObjective(objective), threshold, DEFAULT_WINDOW, Set.of(), DEFAULT_EXCLUDED_ROUTES,
                false);
    }

    /**
     * A copy over another rolling window.
     *
     * @throws IllegalArgumentException when the window is under 1 hour or over 90 days, or not whole hours
     */
    public Slo withWindow(Duration window) {
        Objects.requireNonNull(window, "window");
        if (window.compareTo(Duration.ofHours(1)) < 0 || window.compareTo(Duration.ofDays(90)) > 0
                || window.toMinutes() % 60 != 0 || window.toMillis() % 60_000 != 0) {
            throw new IllegalArgumentException("window must be whole hours from 1 hour to 90 days: " + window);
        }
        return new Slo(name, objective, latencyThreshold, window, routes, excludedRoutes, refusalsAsFailures);
    }

    /**
     * A copy counting only requests to these route templates.
     *
     * @throws IllegalArgumentException when {@code routes} is empty
     */
    public Slo withRoutes(Set<String> routes) {
        Objects.requireNonNull(routes, "routes");
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("routes must not be empty: []");
        }
        for (String r : routes) {
            checkRoute(r, "routes");
        }
        return new Slo(name, objective, latencyThreshold, window, Set.copyOf(routes), excludedRoutes,
                refusalsAsFailures);
    }

    /**
     * A copy leaving out these route templates and everything below them ({@code "/admin"} leaves out
     * {@code /admin} and {@code /admin/maintenance}, not {@code /administrators}); an empty set counts
     * every route. Replaces {@link #DEFAULT_EXCLUDED_ROUTES}.
     *
     * @throws IllegalArgumentException when a route does not start with {@code /}
     */
    public Slo withExcludedRoutes(Set<String> excludedRoutes) {
        Objects.requireNonNull(excludedRoutes, "excludedRoutes");
        for (String r : excludedRoutes) {
            checkRoute(r, "excludedRoutes");
        }
        return new Slo(name, objective, latencyThreshold, window, routes, Set.copyOf(excludedRoutes),
                refusalsAsFailures);
    }

    /**
     * A copy that counts requests the host refused during maintenance ({@link RequestMetrics#REFUSED_ATTRIBUTE})
     * as failures ({@code true}) instead of leaving them out (the default, {@code false}): a planned
     * maintenance window then spends the error budget.
     */
    public Slo withRefusalsAsFailures(boolean refusalsAsFailures) {
        return new Slo(name, objective, latencyThreshold, window, routes, excludedRoutes, refusalsAsFailures);
    }

    private static void checkRoute(String route, String field) {
        Objects.requireNonNull(route, field);
        if (!route.startsWith("/")) {
            throw new IllegalArgumentException(field + " must hold route templates starting with '/': '" + route + "'");
        }
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "name must be lower-case letters, digits, '_' or '-', starting with a letter: '" + name + "'");
        }
        return name;
    }

    private static double checkObjective(double objective) {
        if (!(objective > 0 && objective < 1)) {
            throw new IllegalArgumentException("objective must be between 0 and 1 exclusive: " + objective);
        }
        return objective;
    }

    /** The SLO's name. */
    public String name() {
        return name;
    }

    /** The share of good requests to meet, between 0 and 1. */
    public double objective() {
        return objective;
    }

    /** The error budget: {@code 1 - objective}. */
    public double errorBudget() {
        return 1 - objective;
    }

    /** The latency threshold of a latency SLO; empty for an availability SLO. */
    public Optional<Duration> latencyThreshold() {
        return Optional.ofNullable(latencyThreshold);
    }

    /** The rolling window. */
    public Duration window() {
        return window;
    }

    /** The route templates counted; empty for all. */
    public Set<String> routes() {
        return routes;
    }

    /** The route templates left out, each with everything below it; empty when every route counts. */
    public Set<String> excludedRoutes() {
        return excludedRoutes;
    }

    /** Whether requests refused during maintenance count as failures (otherwise they are left out). */
    public boolean refusalsAsFailures() {
        return refusalsAsFailures;
    }

    /** Whether this SLO counts a request to {@code route}: listed (or no list) and not excluded. */
    public boolean counts(String route) {
        if (!routes.isEmpty() && !routes.contains(route)) {
            return false;
        }
        for (String excluded : excludedRoutes) {
            if (route.startsWith(excluded)
                    && (route.length() == excluded.length() || route.charAt(excluded.length()) == '/')) {
                return false;
            }
        }
        return true;
    }

    /** Whether this SLO counts a request to {@code route} that was or was not refused during maintenance. */
    public boolean counts(String route, boolean refused) {
        return (!refused || refusalsAsFailures) && counts(route);
    }

    /**
     * Whether a counted request is good for this SLO. A latency SLO compares the duration with its
     * threshold (at or under is good, as Prometheus' {@code le} bucket); an availability SLO calls a
     * request bad when its status is 5xx or not a valid status (an adapter records a request that ended
     * with an exception before answering as 500), or when it was refused and {@link #refusalsAsFailures()}
     * is on: exactly what the generated PromQL counts from the {@code outcome} label.
     */
    public boolean isGood(int status, boolean refused, long durationNanos) {
        if (latencyThreshold != null) {
            return durationNanos <= latencyThreshold.toNanos();
        }
        return !refused && status >= 100 && status < 500;
    }

    @Override
    public String toString() {
        return "Slo[" + name + ", objective=" + objective
                + (latencyThreshold != null ? ", latency<=" + latencyThreshold : ", availability")
                + ", window=" + window + (routes.isEmpty() ? "" : ", routes=" + routes) + "]";
    }
}
