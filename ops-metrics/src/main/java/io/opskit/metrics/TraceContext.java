package io.opskit.metrics;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The trace and parent span of a request, from a W3C Trace Context {@value #HEADER} header
 * (<a href="https://www.w3.org/TR/trace-context/">trace-context level 1</a>), so that log lines can
 * be joined with the traces of the services that called this one. The request filters put
 * {@link #traceId()} and {@link #spanId()} in the SLF4J MDC as {@value #TRACE_ID_KEY} and
 * {@value #SPAN_ID_KEY}, beside {@link RequestIds#MDC_KEY}, for the duration of the request.
 *
 * <p>Only version {@code 00} is understood: exactly {@code 00-<32 hex>-<16 hex>-<2 hex>}, lower-case
 * hex, with a trace id and a span id that are not all zeros. Anything else (another version, upper
 * case, spaces, a missing part, an all-zero id) is ignored, as the specification asks of a header
 * that cannot be parsed, so a forged header cannot put anything else in the logs.
 *
 * <p>Immutable and thread-safe.
 *
 * @param traceId 32 lower-case hex digits, not all zeros
 * @param spanId  16 lower-case hex digits, not all zeros: the caller's span, this request's parent
 */
public record TraceContext(String traceId, String spanId) {

    /** The request header. */
    public static final String HEADER = "traceparent";
    /** The MDC key of the trace id. */
    public static final String TRACE_ID_KEY = "trace_id";
    /** The MDC key of the parent span id. */
    public static final String SPAN_ID_KEY = "span_id";

    /** The length of a version-00 header: {@code 2 + 1 + 32 + 1 + 16 + 1 + 2}. */
    private static final int LENGTH = 55;
    private static final int TRACE_FROM = 3;
    private static final int TRACE_TO = 35;
    private static final int SPAN_FROM = 36;
    private static final int SPAN_TO = 52;

    /**
     * Validates the ids.
     *
     * @throws IllegalArgumentException when an id is not lower-case hex of its length or is all zeros;
     *                                  the message names the field and the value
     * @throws NullPointerException     when an id is null
     */
    public TraceContext {
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(spanId, "spanId");
        if (traceId.length() != 32 || !isId(traceId, 0, 32)) {
            throw new IllegalArgumentException("traceId must be 32 lower-case hex digits, not all zeros: '"
                    + traceId + "'");
        }
        if (spanId.length() != 16 || !isId(spanId, 0, 16)) {
            throw new IllegalArgumentException("spanId must be 16 lower-case hex digits, not all zeros: '"
                    + spanId + "'");
        }
    }

    /**
     * The trace context a {@value #HEADER} header value carries; empty when the value is absent or
     * not a valid version-00 header. Never throws.
     *
     * @param header the header value as received, or {@code null} when the request had none
     */
    public static Optional<TraceContext> parse(@Nullable String header) {
        if (header == null || !isValid(header)) {
            return Optional.empty();
        }
        return Optional.of(new TraceContext(header.substring(TRACE_FROM, TRACE_TO), header.substring(SPAN_FROM, SPAN_TO)));
    }

    /** Whether {@code header} is a valid version-00 {@value #HEADER} value; allocates nothing. */
    public static boolean isValid(@Nullable String header) {
        return header != null && header.length() == LENGTH
                && header.charAt(0) == '0' && header.charAt(1) == '0' && header.charAt(2) == '-'
                && isId(header, TRACE_FROM, TRACE_TO) && header.charAt(TRACE_TO) == '-'
                && isId(header, SPAN_FROM, SPAN_TO) && header.charAt(SPAN_TO) == '-'
                && isHex(header.charAt(53)) && isHex(header.charAt(54));
    }

    /** Lower-case hex from {@code from} to {@code to}, not all zeros. */
    private static boolean isId(String s, int from, int to) {
        boolean nonZero = false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!isHex(c)) {
                return false;
            }
            nonZero |= c != '0';
        }
        return nonZero;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }
}
