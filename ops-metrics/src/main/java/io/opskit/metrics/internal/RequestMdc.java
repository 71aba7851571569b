package io.opskit.metrics.internal;

import io.opskit.metrics.RequestIds;
import io.opskit.metrics.TraceContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * The MDC bookkeeping of the request filters, without the objects {@link RequestIds#enter(String,
 * java.util.Optional)} creates: a filter reads the thread's previous values with {@link #get(String)}
 * into locals, calls {@link #enter(String, String)}, and {@link #restore(String, String, String)} when
 * the request is over. A request without {@code traceparent} allocates nothing here; one with a valid
 * header allocates the two id strings the MDC holds.
 */
public final class RequestMdc {

    /** Where the ids sit in a version-00 header: {@code 00-<trace 3..35>-<span 36..52>-<flags>}. */
    private static final int TRACE_FROM = 3;
    private static final int TRACE_TO = 35;
    private static final int SPAN_FROM = 36;
    private static final int SPAN_TO = 52;

    private RequestMdc() {
    }

    /** The MDC value of {@code key} on this thread, or null. */
    public static @Nullable String get(String key) {
        return MDC.get(key);
    }

    /**
     * Puts the request id and, when {@code traceparent} is a valid header ({@link TraceContext#isValid}),
     * its trace and span ids; removes the trace keys otherwise, so no earlier request's trace leaks in.
     */
    public static void enter(String requestId, @Nullable String traceparent) {
        MDC.put(RequestIds.MDC_KEY, requestId);
        if (traceparent != null && TraceContext.isValid(traceparent)) {
            MDC.put(TraceContext.TRACE_ID_KEY, traceparent.substring(TRACE_FROM, TRACE_TO));
            MDC.put(TraceContext.SPAN_ID_KEY, traceparent.substring(SPAN_FROM, SPAN_TO));
        } else {
            MDC.remove(TraceContext.TRACE_ID_KEY);
            MDC.remove(TraceContext.SPAN_ID_KEY);
        }
    }

    /** Puts back the values {@link #get(String)} read before {@link #enter}; removes the null ones. */
    public static void restore(@Nullable String requestId, @Nullable String traceId, @Nullable String spanId) {
        put(RequestIds.MDC_KEY, requestId);
        put(TraceContext.TRACE_ID_KEY, traceId);
        put(TraceContext.SPAN_ID_KEY, spanId);
    }

    /** Puts {@code value}, or removes the key when it is null. */
    public static void put(String key, @Nullable String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
