package io.opskit.metrics.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opskit.metrics.RequestMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pre-resolved timers of the request-metrics core, indexed so that finding the timer of a
 * (method, route, status, outcome, exception) combination allocates nothing: a
 * {@link ConcurrentHashMap} keyed by the route string (whose hash the JDK caches), then arrays by
 * method index and by status. Outcome follows from status; exceptions, rare by nature, go through
 * a small map per route. The map never holds more than {@code maxRoutes} routes.
 */
public final class RouteTable {

    private static final Logger log = LoggerFactory.getLogger(RouteTable.class);

    private static final String[] METHODS = {
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", RequestMetrics.OTHER,
    };
    private static final int STATUS_SLOTS = 501;
    private static final int UNKNOWN_STATUS = 500;
    /** The longest route value recorded as itself. */
    public static final int MAX_ROUTE_LENGTH = 200;

    private final MeterRegistry registry;
    private final int maxRoutes;
    private final Duration[] buckets;
    private final Counter overflow;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final Entry other;
    private final Entry unmatched;
    private final AtomicBoolean overflowWarned = new AtomicBoolean();

    public RouteTable(MeterRegistry registry, int maxRoutes, List<Duration> buckets, Counter overflow) {
        this.registry = registry;
        this.maxRoutes = maxRoutes;
        this.buckets = buckets.toArray(new Duration[0]);
        this.overflow = overflow;
        this.other = new Entry(RequestMetrics.OTHER);
        entries.put(RequestMetrics.OTHER, other);
        this.unmatched = new Entry(RequestMetrics.UNMATCHED);
        entries.put(RequestMetrics.UNMATCHED, unmatched);
        entries.put(RequestMetrics.NOT_FOUND, new Entry(RequestMetrics.NOT_FOUND));
    }

    /** The index of a method name; the standard methods are matched case-sensitively, as HTTP defines. */
    public static int methodIndex(String method) {
        switch (method) {
            case "GET": return 0;
            case "HEAD": return 1;
            case "POST": return 2;
            case "PUT": return 3;
            case "DELETE": return 4;
            case "PATCH": return 5;
            case "OPTIONS": return 6;
            case "TRACE": return 7;
            case "CONNECT": return 8;
            default: return 9;
        }
    }

    /** The tag value of a method index. */
    public static String methodName(int index) {
        return METHODS[index];
    }

    /** The status class of a status code, as the {@code outcome} tag. */
    public static String outcome(int status) {
        if (status >= 100 && status < 200) {
            return "INFORMATIONAL";
        } else if (status >= 200 && status < 300) {
            return "SUCCESS";
        } else if (status >= 300 && status < 400) {
            return "REDIRECTION";
        } else if (status >= 400 && status < 500) {
            return "CLIENT_ERROR";
        } else if (status >= 500 && status < 600) {
            return "SERVER_ERROR";
        }
        return "UNKNOWN";
    }

    /**
     * The entry that records {@code route}: its own once admitted; {@code UNMATCHED} for a value that
     * cannot be a template (control characters, such as a decoded {@code %0d%0a}, or longer than
     * {@value #MAX_ROUTE_LENGTH} characters); {@code OTHER} once the cap is reached.
     */
    public Entry entry(String route) {
        Entry e = entries.get(route);
        return e != null ? e : admit(route);
    }

    /** How many distinct route values have been admitted, reserved ones included. */
    public int size() {
        return entries.size();
    }

    /** The route value recorded for {@code route} (as {@link #entry(String)}). */
    public String effectiveRoute(String route) {
        return entry(route).route;
    }

    /** The timer for one combination; created on first use. */
    public Timer timer(String route, int methodIndex, int status, @Nullable Throwable exception) {
        return entry(route).timer(methodIndex, status, exception, false);
    }

    static boolean isClean(String route) {
        if (route.isEmpty() || route.length() > MAX_ROUTE_LENGTH) {
            return false;
        }
        for (int i = 0; i < route.length(); i++) {
            char c = route.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                return false;
            }
        }
        return true;
    }

    private Entry admit(String route) {
        if (!isClean(route)) {
            log.debug("request metrics: a route value with control characters or over {} characters was "
                    + "recorded as UNMATCHED", MAX_ROUTE_LENGTH);
            return unmatched;
        }
        synchronized (entries) {
            Entry e = entries.get(route);
            if (e != null) {
                return e;
            }
            if (entries.size() < maxRoutes) {
                e = new Entry(route);
                entries.put(route, e);
                return e;
            }
        }
        overflow.increment();
        if (overflowWarned.compareAndSet(false, true)) {
            log.warn("request metrics: more than {} distinct routes; further routes are recorded as OTHER and "
                    + "counted by {}. Pass route templates, not raw paths, or raise maxRoutes",
                    maxRoutes, RequestMetrics.ROUTE_OVERFLOW);
        } else {
            log.debug("request metrics: route cap reached, recorded as OTHER");
        }
        return other;
    }

    /**
     * Registers one timer. {@code exception} is the exception tag's value, or null for a request that
     * ended without one: then the tag is left out, as OpenTelemetry sets {@code error.type} only on
     * errors, rather than carrying a sentinel such as {@code "none"} that reads like a real value.
     */
    private Timer register(String route, int methodIndex, int slot, @Nullable String exception, boolean refused) {
        String status = slot == UNKNOWN_STATUS ? "UNKNOWN" : Integer.toString(slot + 100);
        String outcome = refused ? RequestMetrics.REFUSED : outcome(slot == UNKNOWN_STATUS ? 0 : slot + 100);
        Timer.Builder b = Timer.builder(RequestMetrics.TIMER)
                .description("HTTP server requests, by route template")
                .tags("method", METHODS[methodIndex], "route", route, "status", status, "outcome", outcome);
        if (exception != null) {
            b.tag("exception", exception);
        }
        if (buckets.length > 0) {
            b.serviceLevelObjectives(buckets);
        }
        return b.register(registry);
    }

    private static String exceptionName(Class<?> type) {
        String simple = type.getSimpleName();
        return simple.isEmpty() ? type.getName() : simple;
    }

    private record ExceptionKey(int methodIndex, int slot, Class<?> type) {
    }

    /** The timers of one route value. Thread-safe; a timer is created once per combination. */
    public final class Entry {
        final String route;
        final AtomicReferenceArray<AtomicReferenceArray<Timer>> byMethod =
                new AtomicReferenceArray<>(METHODS.length);
        final AtomicReferenceArray<AtomicReferenceArray<Timer>> refusedByMethod =
                new AtomicReferenceArray<>(METHODS.length);
        final ConcurrentHashMap<ExceptionKey, Timer> exceptions = new ConcurrentHashMap<>();

        Entry(String route) {
            this.route = route;
        }

        /** The route tag value. */
        public String route() {
            return route;
        }

        /**
         * The timer for one combination. The first request of a method on a route also registers
         * that method's {@code 500} series at zero, so that the route's first server error is an
         * increase Prometheus sees, not the birth of a series {@code increase()} reads as 0.
         */
        public Timer timer(int methodIndex, int status, @Nullable Throwable exception, boolean refused) {
            int slot = status >= 100 && status <= 599 ? status - 100 : UNKNOWN_STATUS;
            if (exception != null && !refused) {
                return exceptions.computeIfAbsent(new ExceptionKey(methodIndex, slot, exception.getClass()),
                        k -> register(route, methodIndex, slot, exceptionName(exception.getClass()), false));
            }
            AtomicReferenceArray<AtomicReferenceArray<Timer>> arrays = refused ? refusedByMethod : byMethod;
            AtomicReferenceArray<Timer> byStatus = arrays.get(methodIndex);
            if (byStatus == null) {
                byStatus = statusArray(arrays, methodIndex, refused);
            }
            Timer t = byStatus.get(slot);
            if (t == null) {
                t = register(route, methodIndex, slot, null, refused);
                byStatus.set(slot, t);
            }
            return t;
        }

        private AtomicReferenceArray<Timer> statusArray(AtomicReferenceArray<AtomicReferenceArray<Timer>> arrays,
                                                        int methodIndex, boolean refused) {
            if (arrays.compareAndSet(methodIndex, null, new AtomicReferenceArray<>(STATUS_SLOTS)) && !refused) {
                AtomicReferenceArray<Timer> created = arrays.get(methodIndex);
                created.set(500 - 100, register(route, methodIndex, 500 - 100, null, false));
            }
            return arrays.get(methodIndex);
        }
    }
}
