package io.opskit.metrics;

import io.opskit.api.Redactor;
import io.opskit.metrics.internal.RequestMdc;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Request ids: accepted from {@value #HEADER} when short and made of safe characters, generated
 * otherwise, kept in the SLF4J MDC under {@value #MDC_KEY} while a request runs, and carried across
 * an executor hop with {@link #carry(Runnable)} or {@link #carrying(Executor)}, together with the
 * request's {@link TraceContext} ({@value TraceContext#TRACE_ID_KEY} and
 * {@value TraceContext#SPAN_ID_KEY}) when it came with one. A request's code puts its id in place
 * with {@link #enter(String)} or {@link #enter(String, Optional)}, whose {@link Scope} puts back what
 * was there before.
 *
 * <p>An accepted id is 1 to {@value #MAX_LENGTH} characters of {@code A-Z a-z 0-9 . _ -}; anything
 * else (too long, spaces, quotes, control characters, which could forge log lines) is replaced by a
 * generated id of 32 lower-case hex digits (128 random bits). So is an id that looks like a secret
 * ({@link Redactor} would mask it), so that no credential reaches the logs through it. Stateless and
 * thread-safe.
 */
public final class RequestIds {

    /** The request and response header. */
    public static final String HEADER = "X-Request-Id";
    /** The MDC key. */
    public static final String MDC_KEY = "request_id";
    /** The longest incoming id accepted. */
    public static final int MAX_LENGTH = 64;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    /** Whether an incoming id may be used as it is. */
    public static boolean isAcceptable(@Nullable String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.';
            if (!safe) {
                return false;
            }
        }
        // An id shaped like a key (sk-..., token=...) would carry a secret into every log line.
        return Redactor.redact(id) == id;
    }

    /** {@code incoming} when {@link #isAcceptable(String) acceptable}, else a {@link #generate() new id}. */
    public static String acceptOrGenerate(@Nullable String incoming) {
        return incoming != null && isAcceptable(incoming) ? incoming : generate();
    }

    /** A new id: 32 lower-case hex digits from 128 random bits ({@link ThreadLocalRandom}; not a secret). */
    public static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        long hi = random.nextLong();
        long lo = random.nextLong();
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (hi & 0xF)];
            hi >>>= 4;
            out[16 + i] = HEX[(int) (lo & 0xF)];
            lo >>>= 4;
        }
        return new String(out);
    }

    /** The id of the request running on this thread, from the MDC; empty outside a request. */
    public static Optional<String> current() {
        return Optional.ofNullable(MDC.get(MDC_KEY));
    }

    /**
     * Wraps {@code task} so that it runs with this thread's current request id and trace context in its
     * MDC (none where this thread has none), and restores the running thread's previous ones afterwards.
     */
    public static Runnable carry(Runnable task) {
        Objects.requireNonNull(task, "task");
        String id = MDC.get(MDC_KEY);
        String traceId = MDC.get(TraceContext.TRACE_ID_KEY);
        String spanId = MDC.get(TraceContext.SPAN_ID_KEY);
        return () -> {
            Scope scope = Scope.enter(id, true, traceId, spanId);
            try {
                task.run();
            } finally {
                scope.close();
            }
        };
    }

    /** As {@link #carry(Runnable)} for a {@link Callable}. */
    public static <T> Callable<T> carry(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        String id = MDC.get(MDC_KEY);
        String traceId = MDC.get(TraceContext.TRACE_ID_KEY);
        String spanId = MDC.get(TraceContext.SPAN_ID_KEY);
        return () -> {
            Scope scope = Scope.enter(id, true, traceId, spanId);
            try {
                return task.call();
            } finally {
                scope.close();
            }
        };
    }

    /**
     * An executor that {@linkplain #carry(Runnable) carries} the submitting thread's request id and
     * trace context to each task.
     */
    public static Executor carrying(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return task -> executor.execute(carry(task));
    }

    /**
     * Makes {@code id} this thread's request id (in the MDC) until the returned scope is closed, which
     * puts back the id the thread had before, or none. The trace context keys are left as they are.
     * <pre>{@code
     * try (RequestIds.Scope scope = RequestIds.enter(RequestIds.acceptOrGenerate(header))) {
     *     handle(request);
     * }
     * }</pre>
     *
     * @param id the request id; use {@link #acceptOrGenerate(String)} on an incoming one
     * @throws NullPointerException when {@code id} is null
     */
    public static Scope enter(String id) {
        return Scope.enter(Objects.requireNonNull(id, "id"), false, null, null);
    }

    /**
     * Makes {@code id} this thread's request id and {@code trace} its trace context (in the MDC) until
     * the returned scope is closed, which puts back what the thread had before. An empty {@code trace}
     * removes the trace keys for the scope's duration, so that no earlier request's trace id reaches
     * this request's log lines. What the request filters do with {@link TraceContext#parse(String)}.
     *
     * @param id    the request id; use {@link #acceptOrGenerate(String)} on an incoming one
     * @param trace the request's trace context, or empty
     * @throws NullPointerException when an argument is null
     */
    public static Scope enter(String id, Optional<TraceContext> trace) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(trace, "trace");
        if (trace.isPresent()) {
            TraceContext t = trace.get();
            return Scope.enter(id, true, t.traceId(), t.spanId());
        }
        return Scope.enter(id, true, null, null);
    }

    /**
     * The span of code during which a request id (and trace context) are this thread's, from
     * {@link #enter(String)} or {@link #enter(String, Optional)}. {@link #close()} restores what the
     * thread had before; closing again does nothing. Close it on the thread that entered it
     * (try-with-resources does). Not thread-safe.
     */
    public static final class Scope implements AutoCloseable {
        private final @Nullable String previousId;
        private final boolean withTrace;
        private final @Nullable String previousTraceId;
        private final @Nullable String previousSpanId;
        private boolean closed;

        private Scope(@Nullable String previousId, boolean withTrace, @Nullable String previousTraceId,
                      @Nullable String previousSpanId) {
            this.previousId = previousId;
            this.withTrace = withTrace;
            this.previousTraceId = previousTraceId;
            this.previousSpanId = previousSpanId;
        }

        static Scope enter(@Nullable String id, boolean withTrace, @Nullable String traceId, @Nullable String spanId) {
            Scope scope = withTrace
                    ? new Scope(MDC.get(MDC_KEY), true, MDC.get(TraceContext.TRACE_ID_KEY), MDC.get(TraceContext.SPAN_ID_KEY))
                    : new Scope(MDC.get(MDC_KEY), false, null, null);
            put(MDC_KEY, id);
            if (withTrace) {
                put(TraceContext.TRACE_ID_KEY, traceId);
                put(TraceContext.SPAN_ID_KEY, spanId);
            }
            return scope;
        }

        /** Puts back what this thread had before the scope was entered (removes the keys it had not). */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                put(MDC_KEY, previousId);
                if (withTrace) {
                    put(TraceContext.TRACE_ID_KEY, previousTraceId);
                    put(TraceContext.SPAN_ID_KEY, previousSpanId);
                }
            }
        }

        private static void put(String key, @Nullable String value) {
            RequestMdc.put(key, value);
        }
    }
}
