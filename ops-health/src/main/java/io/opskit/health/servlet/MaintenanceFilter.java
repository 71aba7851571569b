package io.opskit.health.servlet;

import io.opskit.health.checks.MaintenanceMode;
import io.opskit.health.internal.MaintenanceGate;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Maintenance mode for a Jakarta Servlet container (Servlet 6): while the {@link MaintenanceMode}
 * is on, every request except health probes and metrics scrapes gets 503 with {@code Retry-After}
 * and a JSON body {@code {"error":"maintenance","message":...,"retryAfterSeconds":300}}. Map it to
 * {@code /*}. Paths are taken from the request URI without the context path; a path with a dot
 * segment, an empty segment, a {@code ;} or a {@code %} is always refused while maintenance is on.
 * Thread-safe. The JDK {@code HttpServer} twin is {@link MaintenanceMode#filter()}.
 */
public final class MaintenanceFilter implements Filter {

    private final MaintenanceGate gate;

    /**
     * A filter that lets {@code /health} and {@code /metrics} (and paths under them) pass and
     * answers others with {@code Retry-After: 300}.
     */
    public MaintenanceFilter(MaintenanceMode mode) {
        this(mode, MaintenanceGate.DEFAULT_RETRY_AFTER, MaintenanceGate.DEFAULT_PASS_PATHS);
    }

    /**
     * A filter with its own {@code Retry-After} and passing paths.
     *
     * @param retryAfter between 1 s and one day, sent in whole seconds
     * @param passPaths  paths that pass, with everything under them (for example {@code /health})
     * @throws IllegalArgumentException when {@code retryAfter} is out of range or a path does not
     *         start with '/' or ends with '/'
     */
    public MaintenanceFilter(MaintenanceMode mode, Duration retryAfter, List<String> passPaths) {
        this.gate = new MaintenanceGate(mode, retryAfter, passPaths);
    }

    /**
     * Refuses the request while maintenance mode is on, unless its path passes.
     *
     * @throws IOException      when the response cannot be written
     * @throws ServletException from the rest of the chain
     */
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse out)) {
            chain.doFilter(request, response);
            return;
        }
        String uri = http.getRequestURI();
        String context = http.getContextPath();
        String path = context != null && !context.isEmpty() && uri.startsWith(context)
                ? uri.substring(context.length()) : uri;
        if (!gate.refuses(path)) {
            chain.doFilter(request, response);
            return;
        }
        byte[] body = gate.body();
        out.setStatus(503);
        out.setContentType("application/json");
        out.setHeader("Retry-After", gate.retryAfter());
        out.setHeader("Cache-Control", "no-store");
        out.setContentLength(body.length);
        if (!"HEAD".equalsIgnoreCase(http.getMethod())) {
            out.getOutputStream().write(body);
        }
    }
}
