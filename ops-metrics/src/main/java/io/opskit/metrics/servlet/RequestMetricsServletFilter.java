package io.opskit.metrics.servlet;

import io.opskit.metrics.RequestIds;
import io.opskit.metrics.RequestMetrics;
import io.opskit.metrics.RouteResolver;
import io.opskit.metrics.TraceContext;
import io.opskit.metrics.internal.RequestMdc;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A Jakarta Servlet 6 filter that measures every request and gives it a request id and, from a valid
 * {@code traceparent} header, a trace context in the MDC (as
 * {@link io.opskit.metrics.httpserver.RequestMetricsFilter} does for the JDK server).
 *
 * <p>The route is, in order: the request attribute {@value #ROUTE_ATTRIBUTE} if the application set
 * it to a template; the {@link RequestMetrics#routeResolver() core's resolver}; the servlet mapping
 * pattern ({@code /api/*}, {@code *.do}, an exact path). The default servlet has no route, so its
 * requests are {@code UNMATCHED} or {@code NOT_FOUND}. Asynchronous requests are recorded when they
 * complete. Thread-safe.
 */
public final class RequestMetricsServletFilter implements Filter {

    /** A request attribute through which a handler may name its route template. */
    public static final String ROUTE_ATTRIBUTE = "io.opskit.metrics.route";

    private final RequestMetrics metrics;

    private RequestMetricsServletFilter(RequestMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * A filter recording into {@code metrics}.
     *
     * @throws NullPointerException when {@code metrics} is null
     */
    public static RequestMetricsServletFilter of(RequestMetrics metrics) {
        return new RequestMetricsServletFilter(Objects.requireNonNull(metrics, "metrics"));
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        String id = RequestIds.acceptOrGenerate(request.getHeader(RequestIds.HEADER));
        response.setHeader(RequestIds.HEADER, id);
        String previousId = RequestMdc.get(RequestIds.MDC_KEY);
        String previousTraceId = RequestMdc.get(TraceContext.TRACE_ID_KEY);
        String previousSpanId = RequestMdc.get(TraceContext.SPAN_ID_KEY);
        RequestMdc.enter(id, request.getHeader(TraceContext.HEADER));
        try {
            long start = metrics.start();
            Throwable failure = null;
            try {
                chain.doFilter(request, response);
            } catch (IOException | ServletException | RuntimeException | Error e) {
                failure = e;
                throw e;
            } finally {
                if (failure == null && request.isAsyncStarted()) {
                    request.getAsyncContext().addListener(new AsyncRecorder(start));
                } else {
                    record(start, request, response, failure);
                }
            }
        } finally {
            RequestMdc.restore(previousId, previousTraceId, previousSpanId);
        }
    }

    private void record(long start, HttpServletRequest request, HttpServletResponse response,
                        @Nullable Throwable failure) {
        int status = response.getStatus();
        if (failure != null && status < 400) {
            status = 500;
        }
        boolean refused = request.getAttribute(RequestMetrics.REFUSED_ATTRIBUTE) != null;
        metrics.stop(start, request.getMethod(), route(request), status, failure, refused);
    }

    private @Nullable String route(HttpServletRequest request) {
        Object attribute = request.getAttribute(ROUTE_ATTRIBUTE);
        if (attribute instanceof String template) {
            return template;
        }
        Optional<RouteResolver> resolver = metrics.routeResolver();
        if (resolver.isPresent()) {
            String path = request.getRequestURI().substring(request.getContextPath().length());
            return resolver.get().resolve(request.getMethod(), path.isEmpty() ? "/" : path).orElse(null);
        }
        HttpServletMapping mapping = request.getHttpServletMapping();
        if (mapping == null || mapping.getMappingMatch() == null) {
            return null;
        }
        switch (mapping.getMappingMatch()) {
            case CONTEXT_ROOT:
                return "/";
            case DEFAULT:
                return null;
            default:
                return mapping.getPattern();
        }
    }

    private final class AsyncRecorder implements AsyncListener {
        private final long start;

        AsyncRecorder(long start) {
            this.start = start;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            record(start, (HttpServletRequest) event.getSuppliedRequest(),
                    (HttpServletResponse) event.getSuppliedResponse(), null);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            // onComplete follows a timeout, and records it.
        }

        @Override
        public void onError(AsyncEvent event) {
            // onComplete follows an error too; the status then tells.
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }
}
