package io.opskit.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opskit.metrics.internal.RouteTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The framework-neutral request-metrics core. An adapter calls {@link #start()} when a request
 * arrives and {@link #stop(long, String, String, int, Throwable)} when it has been answered; the
 * core records:
 * <ul>
 *   <li>{@value #TIMER} (Prometheus {@code http_server_requests_seconds}), a timer tagged
 *       {@code method}, {@code route}, {@code status}, {@code outcome} and {@code exception};</li>
 *   <li>{@value #IN_FLIGHT}, a gauge of requests started and not yet stopped;</li>
 *   <li>{@value #ROUTE_OVERFLOW}, a counter of requests recorded as {@link #OTHER} because the
 *       route cap was reached (warned about once).</li>
 * </ul>
 *
 * <p>Tag values are bounded: a route is a host-supplied template or one of {@link #UNMATCHED},
 * {@link #NOT_FOUND} and {@link #OTHER}; a method outside the standard nine is {@code OTHER};
 * a status outside 100..599 is {@code UNKNOWN}; the exception tag is the exception's simple class
 * name. Latency histograms are off unless {@link Builder#histogram(boolean)} turns them on, and then
 * use a handful of SLO-aligned buckets.
 *
 * <p>After a combination of tags has been seen once, start and stop take no lock and allocate
 * nothing (unless an exception is recorded). Thread-safe.
 */
public final class RequestMetrics {

    /** The request timer's name. */
    public static final String TIMER = "http.server.requests";
    /** The in-flight gauge's name. */
    public static final String IN_FLIGHT = "http.server.requests.in.flight";
    /** The route-overflow counter's name. */
    public static final String ROUTE_OVERFLOW = "http.server.requests.route.overflow";
    /** Route value of a request that no route template matched. */
    public static final String UNMATCHED = "UNMATCHED";
    /** Route value of an unmatched request answered 404. */
    public static final String NOT_FOUND = "NOT_FOUND";
    /** Route value once the route cap is reached; also the method value of a non-standard method. */
    public static final String OTHER = "OTHER";
    /** The default histogram buckets, from the operations manuals' latency targets. */
    public static final List<Duration> DEFAULT_BUCKETS = List.of(Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5));

    private static final Logger log = LoggerFactory.getLogger(RequestMetrics.class);

    private final MeterRegistry registry;
    private final io.micrometer.core.instrument.Clock clock;
    private final RouteTable routes;
    private final LongAdder inFlight = new LongAdder();
    private final long slowNanos;
    private final Duration slowThreshold;
    private final RequestListener[] listeners;
    private final boolean histogram;
    private final List<Duration> buckets;
    private final int maxRoutes;
    private final @Nullable RouteResolver routeResolver;
    private volatile boolean listenerWarned;

    private RequestMetrics(Builder b) {
        this.registry = b.registry;
        this.clock = registry.config().clock();
        this.histogram = b.histogram;
        this.buckets = List.copyOf(b.bucketSet());
        this.maxRoutes = b.maxRoutes;
        this.routeResolver = b.routeResolver;
        Counter overflow = Counter.builder(ROUTE_OVERFLOW)
                .description("Requests recorded with route OTHER because the route cap was reached")
                .register(registry);
        this.routes = new RouteTable(registry, b.maxRoutes, histogram ? buckets : List.of(), overflow);
        this.slowThreshold = b.slowThreshold;
        this.slowNanos = b.slowThreshold.toNanos();
        this.listeners = b.listeners.toArray(new RequestListener[0]);
        Gauge.builder(IN_FLIGHT, inFlight, LongAdder::sum)
                .description("HTTP requests started and not yet answered")
                .register(registry);
    }

    /**
     * A builder recording into {@code registry}.
     *
     * @throws NullPointerException when {@code registry} is null
     */
    public static Builder builder(MeterRegistry registry) {
        return new Builder(registry);
    }

    /**
     * Marks the arrival of a request.
     *
     * @return the start time in the registry clock's monotonic nanoseconds; pass it to {@link #stop}
     */
    public long start() {
        inFlight.increment();
        return clock.monotonicTime();
    }

    /**
     * Records a request that has been answered (or failed). Call exactly once per {@link #start()}.
     *
     * @param startNanos the value {@link #start()} returned
     * @param method     the request method as received; anything but the nine standard methods is {@code OTHER}
     * @param route      the route template that served the request, or {@code null} when none matched;
     *                   never a raw path
     * @param status     the response status code (for a failure without a response, pass 500)
     * @param exception  the exception the request ended with, or {@code null}
     * @return the request's duration in nanoseconds
     */
    public long stop(long startNanos, String method, @Nullable String route, int status,
                     @Nullable Throwable exception) {
        long duration = clock.monotonicTime() - startNanos;
        inFlight.decrement();
        String routeTag = route != null ? route : (status == 404 ? NOT_FOUND : UNMATCHED);
        int methodIndex = RouteTable.methodIndex(method);
        routes.timer(routeTag, methodIndex, status, exception).record(duration, TimeUnit.NANOSECONDS);
        if (listeners.length > 0) {
            notifyListeners(methodIndex, routeTag, status, exception != null, duration);
        }
        if (duration >= slowNanos) {
            logSlow(methodIndex, routeTag, status, duration);
        }
        return duration;
    }

    private void notifyListeners(int methodIndex, String routeTag, int status, boolean failed, long duration) {
        String methodTag = RouteTable.methodName(methodIndex);
        String effectiveRoute = routes.effectiveRoute(routeTag);
        for (RequestListener listener : listeners) {
            try {
                listener.onRequest(methodTag, effectiveRoute, status, failed, duration);
            } catch (RuntimeException e) {
                if (!listenerWarned) {
                    listenerWarned = true;
                    log.warn("request listener {} failed; its data may be incomplete: {}",
                            listener.getClass().getName(), e.toString());
                } else {
                    log.debug("request listener {} failed again", listener.getClass().getName(), e);
                }
            }
        }
    }

    private void logSlow(int methodIndex, String routeTag, int status, long duration) {
        if (log.isWarnEnabled()) {
            String id = RequestIds.current();
            log.warn("slow request: method={} route={} status={} duration_ms={} request_id={} threshold_ms={}",
                    RouteTable.methodName(methodIndex), routes.effectiveRoute(routeTag), status,
                    TimeUnit.NANOSECONDS.toMillis(duration), id == null ? "-" : id, slowThreshold.toMillis());
        }
    }

    /** Requests started and not yet stopped. */
    public long inFlight() {
        return inFlight.sum();
    }

    /** The route resolver configured with {@link Builder#routeResolver(RouteResolver)}, if any. */
    public @Nullable RouteResolver routeResolver() {
        return routeResolver;
    }

    /** The most distinct route tag values, the three reserved ones included. */
    public int maxRoutes() {
        return maxRoutes;
    }

    /** The histogram buckets in use, ascending; empty when histograms are off. */
    public List<Duration> buckets() {
        return histogram ? buckets : List.of();
    }

    /** The slow-request threshold. */
    public Duration slowRequestThreshold() {
        return slowThreshold;
    }

    /** The registry this core records into. */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Set-once configuration of {@link RequestMetrics}; validated as set. Not thread-safe.
     */
    public static final class Builder {
        private final MeterRegistry registry;
        private int maxRoutes = 100;
        private boolean histogram;
        private List<Duration> buckets = DEFAULT_BUCKETS;
        private Duration slowThreshold = Duration.ofSeconds(1);
        private @Nullable RouteResolver routeResolver;
        private final List<RequestListener> listeners = new ArrayList<>();
        private final List<Duration> extraBuckets = new ArrayList<>();

        private Builder(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /**
         * The most distinct route tag values, counting the reserved {@code UNMATCHED},
         * {@code NOT_FOUND} and {@code OTHER}; further routes are recorded as {@code OTHER}. Default 100.
         *
         * @throws IllegalArgumentException when below 4
         */
        public Builder maxRoutes(int maxRoutes) {
            if (maxRoutes < 4) {
                throw new IllegalArgumentException("maxRoutes must be at least 4 (3 reserved values + 1): " + maxRoutes);
            }
            this.maxRoutes = maxRoutes;
            return this;
        }

        /** Publishes latency histogram buckets (off by default). */
        public Builder histogram(boolean enabled) {
            this.histogram = enabled;
            return this;
        }

        /**
         * The histogram buckets; default {@link #DEFAULT_BUCKETS}. Latency thresholds of SLOs given to
         * {@link #listener(RequestListener)} are added automatically.
         *
         * @throws IllegalArgumentException when empty, more than 30, or one is not positive
         */
        public Builder buckets(List<Duration> buckets) {
            Objects.requireNonNull(buckets, "buckets");
            if (buckets.isEmpty() || buckets.size() > 30) {
                throw new IllegalArgumentException("buckets must hold 1 to 30 durations: " + buckets.size());
            }
            for (Duration d : buckets) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("buckets must be positive: " + d);
                }
            }
            this.buckets = List.copyOf(buckets);
            return this;
        }

        /**
         * Requests at least this long are logged once at WARN. Default 1 s.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder slowRequestThreshold(Duration threshold) {
            Objects.requireNonNull(threshold, "slowRequestThreshold");
            if (threshold.isNegative() || threshold.isZero()) {
                throw new IllegalArgumentException("slowRequestThreshold must be positive: " + threshold);
            }
            this.slowThreshold = threshold;
            return this;
        }

        /** The resolver adapters use when the host gives no route; optional. */
        public Builder routeResolver(RouteResolver resolver) {
            this.routeResolver = Objects.requireNonNull(resolver, "routeResolver");
            return this;
        }

        /**
         * Adds a listener told about every request (an {@link SloTracker}, typically). A tracker's
         * latency thresholds become histogram buckets too, so Prometheus rules can use them.
         */
        public Builder listener(RequestListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            if (listener instanceof SloTracker tracker) {
                for (Slo slo : tracker.slos()) {
                    if (slo.latencyThreshold() != null) {
                        extraBuckets.add(slo.latencyThreshold());
                    }
                }
            }
            return this;
        }

        private TreeSet<Duration> bucketSet() {
            TreeSet<Duration> all = new TreeSet<>(buckets);
            all.addAll(extraBuckets);
            return all;
        }

        /** Builds the core and registers its gauge and counter. */
        public RequestMetrics build() {
            return new RequestMetrics(this);
        }

        @Override
        public String toString() {
            return "RequestMetrics.Builder[maxRoutes=" + maxRoutes + ", histogram=" + histogram
                    + ", buckets=" + Arrays.toString(buckets.toArray()) + "]";
        }
    }
}
