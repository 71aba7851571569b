package io.opskit.metrics;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A service-level objective over the requests the middleware measures.
 *
 * <ul>
 *   <li>{@link #availability(String, double) availability}: a request is good unless it ended with an
 *       exception, a 5xx status or no status at all;</li>
 *   <li>{@link #latency(String, double, Duration) latency}: a request is good when it took at most
 *       the threshold.</li>
 * </ul>
 * The objective is the share of good requests to meet over a rolling {@link #window()} (default 30
 * days); its complement is the error budget. {@link #routes()} restricts it to some route templates
 * (default: all). Immutable and thread-safe; {@code with...} methods return a changed copy.
 */
public final class Slo {

    /** The default rolling window. */
    public static final Duration DEFAULT_WINDOW = Duration.ofDays(30);

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

    private final String name;
    private final double objective;
    private final @Nullable Duration latencyThreshold;
    private final Duration window;
    private final Set<String> routes;

    private Slo(String name, double objective, @Nullable Duration latencyThreshold, Duration window,
                Set<String> routes) {
        this.name = name;
        this.objective = objective;
        this.latencyThreshold = latencyThreshold;
        this.window = window;
        this.routes = routes;
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
        return new Slo(checkName(name), checkObjective(objective), null, DEFAULT_WINDOW, Set.of());
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
        return new Slo(checkName(name), checkObjective(objective), threshold, DEFAULT_WINDOW, Set.of());
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
        return new Slo(name, objective, latencyThreshold, window, routes);
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
        return new Slo(name, objective, latencyThreshold, window, Set.copyOf(routes));
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

    /** The latency threshold of a latency SLO; {@code null} for an availability SLO. */
    public @Nullable Duration latencyThreshold() {
        return latencyThreshold;
    }

    /** The rolling window. */
    public Duration window() {
        return window;
    }

    /** The route templates counted; empty for all. */
    public Set<String> routes() {
        return routes;
    }

    /** Whether this SLO counts a request to {@code route}. */
    public boolean counts(String route) {
        return routes.isEmpty() || routes.contains(route);
    }

    /** Whether a request is good for this SLO. */
    public boolean isGood(int status, boolean failed, long durationNanos) {
        if (latencyThreshold != null) {
            return durationNanos <= latencyThreshold.toNanos();
        }
        return !failed && status >= 100 && status < 500;
    }

    @Override
    public String toString() {
        return "Slo[" + name + ", objective=" + objective
                + (latencyThreshold != null ? ", latency<=" + latencyThreshold : ", availability")
                + ", window=" + window + (routes.isEmpty() ? "" : ", routes=" + routes) + "]";
    }
}
