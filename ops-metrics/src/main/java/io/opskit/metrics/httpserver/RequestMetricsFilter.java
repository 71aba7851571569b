package io.opskit.metrics.httpserver;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.opskit.metrics.RequestIds;
import io.opskit.metrics.RequestMetrics;
import io.opskit.metrics.RouteResolver;
import io.opskit.metrics.TraceContext;
import io.opskit.metrics.internal.RequestMdc;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Measures every exchange of the JDK {@link com.sun.net.httpserver.HttpServer} contexts it is added
 * to, and gives each a request id ({@link RequestIds}): accepted from or generated for
 * {@code X-Request-Id}, returned in the response header of the same name and kept in the MDC while
 * the exchange runs. A valid W3C {@code traceparent} header puts its trace and parent span ids in the
 * MDC beside it ({@link io.opskit.metrics.TraceContext}); an invalid one is ignored. Both are removed
 * (the thread's previous values put back) once the exchange has been recorded.
 *
 * <p>The route is the template the {@link RequestMetrics#routeResolver() core's resolver} gives
 * (so {@code /health/live} and {@code /health/ready} can be told apart under one {@code /health}
 * context); when it has none or matches nothing, the context path ({@code exchange.getHttpContext().getPath()}), since an
 * {@code HttpServer} context is itself a route. A 404 for a path other than the context path itself
 * (a prefix context turning a request away) is recorded as {@code NOT_FOUND}, so raw paths never
 * become tags either way.
 *
 * <p>A handler that refuses a request on purpose during maintenance sets the exchange attribute
 * {@link RequestMetrics#REFUSED_ATTRIBUTE} (any value), so SLOs leave it out.
 *
 * <p>Add one instance to every context: {@code context.getFilters().add(filter)}. Thread-safe.
 */
public final class RequestMetricsFilter extends Filter {

    private final RequestMetrics metrics;

    private RequestMetricsFilter(RequestMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * A filter recording into {@code metrics}.
     *
     * @throws NullPointerException when {@code metrics} is null
     */
    public static RequestMetricsFilter of(RequestMetrics metrics) {
        return new RequestMetricsFilter(Objects.requireNonNull(metrics, "metrics"));
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        String id = RequestIds.acceptOrGenerate(exchange.getRequestHeaders().getFirst(RequestIds.HEADER));
        exchange.getResponseHeaders().set(RequestIds.HEADER, id);
        String previousId = RequestMdc.get(RequestIds.MDC_KEY);
        String previousTraceId = RequestMdc.get(TraceContext.TRACE_ID_KEY);
        String previousSpanId = RequestMdc.get(TraceContext.SPAN_ID_KEY);
        RequestMdc.enter(id, exchange.getRequestHeaders().getFirst(TraceContext.HEADER));
        try {
            long start = metrics.start();
            Throwable failure = null;
            try {
                chain.doFilter(exchange);
            } catch (IOException | RuntimeException | Error e) {
                failure = e;
                throw e;
            } finally {
                int status = exchange.getResponseCode();
                if (status < 0 && failure != null) {
                    status = 500;
                }
                boolean refused = exchange.getAttribute(RequestMetrics.REFUSED_ATTRIBUTE) != null;
                metrics.stop(start, exchange.getRequestMethod(), route(exchange, status), status, failure, refused);
            }
        } finally {
            RequestMdc.restore(previousId, previousTraceId, previousSpanId);
        }
    }

    private @Nullable String route(HttpExchange exchange, int status) {
        String path = exchange.getRequestURI().getPath();
        Optional<RouteResolver> resolver = metrics.routeResolver();
        if (resolver.isPresent()) {
            Optional<String> template = resolver.get().resolve(exchange.getRequestMethod(), path == null ? "/" : path);
            if (template.isPresent()) {
                return template.get();
            }
        }
        String context = exchange.getHttpContext().getPath();
        if (status == 404 && !context.equals(path)) {
            return null;
        }
        return context;
    }

    @Override
    public String description() {
        return "Opskit request metrics and request ids";
    }
}
