package io.opskit.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.opskit.metrics.internal.RouteTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 *       {@code method}, {@code route}, {@code status}, {@code outcome} and, for a request that ended
 *       with an exception, {@code exception} (absent otherwise, as OpenTelemetry's {@code error.type};
 *       PromQL's {@code exception=""} selects the requests without one);</li>
 *   <li>{@value #IN_FLIGHT}, a gauge of requests started and not yet stopped;</li>
 *   <li>{@value #ROUTE_OVERFLOW}, a counter of requests recorded as {@link #OTHER} because the
 *       route cap was reached (warned about once).</li>
 * </ul>
 *
 * <p>Tag values are bounded: a route is a host-supplied template or one of {@link #UNMATCHED},
 * {@link #NOT_FOUND} and {@link #OTHER}; a method outside the standard nine is {@code OTHER};
 * a status outside 100..599 is {@code UNKNOWN}; the exception tag is the exception's simple class
 * name. Latency histograms are published when a latency {@link Slo} listens, or as
 * {@link Builder#histogram(boolean)} says, with buckets from 5 ms to 60 s and every SLO threshold as
 * an edge. A request the host refused during maintenance ({@link #REFUSED_ATTRIBUTE}) has
 * {@code outcome="REFUSED"}.
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
    /** The {@code outcome} tag value of a request the host refused on purpose during maintenance. */
    public static final String REFUSED = "REFUSED";
    /**
     * The request attribute (JDK {@code HttpExchange} or servlet request) a host sets, to any value,
     * on a request it refuses on purpose during maintenance; the adapters then record it with
     * {@code outcome="REFUSED"}, and {@link Slo}s leave it out unless told otherwise.
     */
    public static final String REFUSED_ATTRIBUTE = "io.opskit.metrics.refused";
    /**
     * The default histogram buckets, 5 ms to 60 s: fine enough near the usual web targets (50, 100,
     * 200, 500 ms) and long enough for slow calls such as a model answering in 45 s. SLO thresholds
     * are added as edges.
     */
    public static final List<Duration> DEFAULT_BUCKETS = List.of(Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200),
            Duration.ofMillis(300), Duration.ofMillis(500), Duration.ofMillis(750), Duration.ofSeconds(1),
            Duration.ofMillis(1500), Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(45),
            Duration.ofSeconds(60));

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
    private final Optional<RouteResolver> routeResolver;
    private volatile boolean listenerWarned;

    private RequestMetrics(Builder b, List<Duration> buckets, boolean latencySlo) {
        this.registry = b.registry != null ? b.registry : new CompositeMeterRegistry();
        this.clock = registry.config().clock();
        this.buckets = buckets;
        this.maxRoutes = b.maxRoutes != null ? b.maxRoutes : 100;
        this.routeResolver = Optional.ofNullable(b.routeResolver);
        this.histogram = !Boolean.FALSE.equals(b.histogram) && (b.histogram != null || latencySlo);
        Counter overflow = Counter.builder(ROUTE_OVERFLOW)
                .description("Requests recorded with route OTHER because the route cap was reached")
                .register(registry);
        this.routes = new RouteTable(registry, maxRoutes, histogram ? buckets : List.of(), overflow);
        this.slowThreshold = b.slowThreshold != null ? b.slowThreshold : Duration.ofSeconds(1);
        this.slowNanos = slowThreshold.toNanos();
        this.listeners = b.listeners.toArray(new RequestListener[0]);
        Gauge.builder(IN_FLIGHT, inFlight, LongAdder::sum)
                .description("HTTP requests started and not yet answered")
                .register(registry);
    }

    /** A builder; give it a registry with {@link Builder#meterRegistry(MeterRegistry)}. */
    public static Builder builder() {
        return new Builder();
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
        return stop(startNanos, method, route, status, exception, false);
    }

    /**
     * As {@link #stop(long, String, String, int, Throwable)}, for a request the host may have refused on
     * purpose during maintenance: a refused request is recorded with {@code outcome="REFUSED"} (its
     * status tag unchanged) and told to listeners as refused.
     *
     * @param refused whether the host refused the request on purpose during maintenance
     */
    public long stop(long startNanos, String method, @Nullable String route, int status,
                     @Nullable Throwable exception, boolean refused) {
        long duration = clock.monotonicTime() - startNanos;
        inFlight.decrement();
        String routeTag = route != null ? route : (status == 404 ? NOT_FOUND : UNMATCHED);
        int methodIndex = RouteTable.methodIndex(method);
        RouteTable.Entry entry = routes.entry(routeTag);
        entry.timer(methodIndex, status, exception, refused).record(duration, TimeUnit.NANOSECONDS);
        if (listeners.length > 0) {
            notifyListeners(methodIndex, entry.route(), status, exception != null, refused, duration);
        }
        if (duration >= slowNanos) {
            logSlow(methodIndex, entry.route(), status, duration);
        }
        return duration;
    }

    private void notifyListeners(int methodIndex, String effectiveRoute, int status, boolean failed, boolean refused,
                                 long duration) {
        String methodTag = RouteTable.methodName(methodIndex);
        for (RequestListener listener : listeners) {
            try {
                listener.onRequest(methodTag, effectiveRoute, status, failed, refused, duration);
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
            String id = RequestIds.current().orElse("-");
            log.warn("slow request: method={} route={} status={} duration_ms={} request_id={} threshold_ms={}",
                    RouteTable.methodName(methodIndex), routeTag, status,
                    TimeUnit.NANOSECONDS.toMillis(duration), id, slowThreshold.toMillis());
        }
    }

    /** Requests started and not yet stopped. */
    public long inFlight() {
        return inFlight.sum();
    }

    /** The route resolver configured with {@link Builder#routeResolver(RouteResolver)}; empty when none was. */
    public Optional<RouteResolver> routeResolver() {
        return routeResolver;
    }

    /** The most distinct route tag values, the three reserved ones included. */
    public int maxRoutes() {
        return maxRoutes;
    }

    /** The histogram buckets in use, ascending; empty when no route publishes them. */
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
        private @Nullable MeterRegistry registry;
        private @Nullable Integer maxRoutes;
        private @Nullable Boolean histogram;
        private @Nullable List<Duration> buckets;
        private @Nullable Duration slowThreshold;
        private @Nullable RouteResolver routeResolver;
        private final List<RequestListener> listeners = new ArrayList<>();

        private Builder() {
        }

        private static void requireUnset(@Nullable Object current, String field) {
            if (current != null) {
                throw new IllegalStateException(field + " was already set");
            }
        }

        /**
         * The registry to record into. Without one nothing is recorded (the core still counts
         * in-flight requests and tells its listeners).
         *
         * @throws IllegalStateException when already set
         */
        public Builder meterRegistry(MeterRegistry registry) {
            Objects.requireNonNull(registry, "registry");
            requireUnset(this.registry, "meterRegistry");
            this.registry = registry;
            return this;
        }

        /**
         * The most distinct route tag values, counting the reserved {@code UNMATCHED},
         * {@code NOT_FOUND} and {@code OTHER}; further routes are recorded as {@code OTHER}. Default 100.
         *
         * @throws IllegalArgumentException when below 4
         * @throws IllegalStateException    when already set
         */
        public Builder maxRoutes(int maxRoutes) {
            if (maxRoutes < 4) {
                throw new IllegalArgumentException("maxRoutes must be at least 4 (3 reserved values + 1): " + maxRoutes);
            }
            requireUnset(this.maxRoutes, "maxRoutes");
            this.maxRoutes = maxRoutes;
            return this;
        }

        /**
         * Publishes latency histogram buckets ({@code true}) or not ({@code false}). Unset, they are
         * published when a listening {@link SloTracker} has a latency {@link Slo}. {@code false} with a
         * latency SLO fails {@link #build()}: without buckets its PromQL ratio could never be computed.
         * Buckets go on every route or none, because Prometheus requires one type (histogram or
         * summary) per metric name.
         *
         * @throws IllegalStateException when already set
         */
        public Builder histogram(boolean enabled) {
            requireUnset(this.histogram, "histogram");
            this.histogram = enabled;
            return this;
        }

        /**
         * The histogram buckets; default {@link #DEFAULT_BUCKETS}. Latency thresholds of SLOs given to
         * {@link #listener(RequestListener)} are added as edges.
         *
         * @throws IllegalArgumentException when empty, more than 40, or one is not positive
         * @throws IllegalStateException    when already set
         */
        public Builder buckets(List<Duration> buckets) {
            Objects.requireNonNull(buckets, "buckets");
            if (buckets.isEmpty() || buckets.size() > 40) {
                throw new IllegalArgumentException("buckets must hold 1 to 40 durations: " + buckets.size());
            }
            for (Duration d : buckets) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("buckets must be positive: " + d);
                }
            }
            requireUnset(this.buckets, "buckets");
            this.buckets = List.copyOf(buckets);
            return this;
        }

        /**
         * Requests at least this long are logged once at WARN. Default 1 s.
         *
         * @throws IllegalArgumentException when not positive
         * @throws IllegalStateException    when already set
         */
        public Builder slowRequestThreshold(Duration threshold) {
            Objects.requireNonNull(threshold, "slowRequestThreshold");
            if (threshold.isNegative() || threshold.isZero()) {
                throw new IllegalArgumentException("slowRequestThreshold must be positive: " + threshold);
            }
            requireUnset(this.slowThreshold, "slowRequestThreshold");
            this.slowThreshold = threshold;
            return this;
        }

        /**
         * The resolver adapters use when the host gives no route; optional.
         *
         * @throws IllegalStateException when already set
         */
        public Builder routeResolver(RouteResolver resolver) {
            Objects.requireNonNull(resolver, "routeResolver");
            requireUnset(this.routeResolver, "routeResolver");
            this.routeResolver = resolver;
            return this;
        }

        /**
         * Adds a listener told about every request (an {@link SloTracker}, typically); repeatable. A
         * tracker's latency thresholds become histogram bucket edges, so Prometheus rules can use them.
         */
        public Builder listener(RequestListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        private List<Slo> latencySlos() {
            List<Slo> list = new ArrayList<>();
            for (RequestListener l : listeners) {
                if (l instanceof SloTracker tracker) {
                    for (Slo slo : tracker.slos()) {
                        if (slo.latencyThreshold().isPresent()) {
                            list.add(slo);
                        }
                    }
                }
            }
            return list;
        }

        private List<Duration> bucketSet(List<Slo> latencySlos) {
            TreeSet<Duration> all = new TreeSet<>(buckets != null ? buckets : DEFAULT_BUCKETS);
            for (Slo slo : latencySlos) {
                slo.latencyThreshold().ifPresent(all::add);
            }
            return List.copyOf(all);
        }

        /**
         * Builds the core and registers its gauge and counter.
         *
         * @throws IllegalStateException when histograms were turned off while a latency SLO listens
         */
        public RequestMetrics build() {
            List<Slo> latency = latencySlos();
            if (Boolean.FALSE.equals(histogram) && !latency.isEmpty()) {
                throw new IllegalStateException("histogram is off, but latency SLO '" + latency.get(0).name()
                        + "' needs its buckets: remove histogram(false) or the SLO");
            }
            return new RequestMetrics(this, bucketSet(latency), !latency.isEmpty());
        }

        @Override
        public String toString() {
            return "RequestMetrics.Builder[maxRoutes=" + maxRoutes + ", histogram=" + histogram
                    + ", buckets=" + buckets + "]";
        }
    }
}
