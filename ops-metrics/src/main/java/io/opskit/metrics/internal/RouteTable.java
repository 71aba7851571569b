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

    private final MeterRegistry registry;
    private final int maxRoutes;
    private final Duration[] buckets;
    private final Counter overflow;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final Entry other;
    private final AtomicBoolean overflowWarned = new AtomicBoolean();

    public RouteTable(MeterRegistry registry, int maxRoutes, List<Duration> buckets, Counter overflow) {
        this.registry = registry;
        this.maxRoutes = maxRoutes;
        this.buckets = buckets.toArray(new Duration[0]);
        this.overflow = overflow;
        this.other = new Entry(RequestMetrics.OTHER);
        entries.put(RequestMetrics.OTHER, other);
        entries.put(RequestMetrics.UNMATCHED, new Entry(RequestMetrics.UNMATCHED));
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

    /** The route value recorded for {@code route}: itself once admitted, otherwise {@code OTHER}. */
    public String effectiveRoute(String route) {
        Entry e = entries.get(route);
        return e != null ? e.route : RequestMetrics.OTHER;
    }

    /** How many distinct route values have been admitted, reserved ones included. */
    public int size() {
        return entries.size();
    }

    /** The timer for one combination; created on first use. */
    public Timer timer(String route, int methodIndex, int status, @Nullable Throwable exception) {
        Entry e = entries.get(route);
        if (e == null) {
            e = admit(route);
        }
        int slot = status >= 100 && status <= 599 ? status - 100 : UNKNOWN_STATUS;
        if (exception != null) {
            return e.exceptionTimer(methodIndex, slot, exception.getClass());
        }
        AtomicReferenceArray<Timer> byStatus = e.byMethod.get(methodIndex);
        if (byStatus == null) {
            byStatus = e.statusArray(methodIndex);
        }
        Timer t = byStatus.get(slot);
        if (t == null) {
            t = register(e.route, methodIndex, slot, "none");
            byStatus.set(slot, t);
        }
        return t;
    }

    private Entry admit(String route) {
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

    private Timer register(String route, int methodIndex, int slot, String exception) {
        String status = slot == UNKNOWN_STATUS ? "UNKNOWN" : Integer.toString(slot + 100);
        Timer.Builder b = Timer.builder(RequestMetrics.TIMER)
                .description("HTTP server requests, by route template")
                .tags("method", METHODS[methodIndex], "route", route, "status", status,
                        "outcome", outcome(slot == UNKNOWN_STATUS ? 0 : slot + 100), "exception", exception);
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

    private final class Entry {
        final String route;
        final AtomicReferenceArray<AtomicReferenceArray<Timer>> byMethod =
                new AtomicReferenceArray<>(METHODS.length);
        final ConcurrentHashMap<ExceptionKey, Timer> exceptions = new ConcurrentHashMap<>();

        Entry(String route) {
            this.route = route;
        }

        AtomicReferenceArray<Timer> statusArray(int methodIndex) {
            byMethod.compareAndSet(methodIndex, null, new AtomicReferenceArray<>(STATUS_SLOTS));
            return byMethod.get(methodIndex);
        }

        Timer exceptionTimer(int methodIndex, int slot, Class<?> type) {
            return exceptions.computeIfAbsent(new ExceptionKey(methodIndex, slot, type),
                    k -> register(route, methodIndex, slot, exceptionName(type)));
        }
    }
}
