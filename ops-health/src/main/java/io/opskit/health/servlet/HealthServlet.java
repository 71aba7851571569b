package io.opskit.health.servlet;

import io.opskit.health.HealthEndpoint;
import io.opskit.health.HealthResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;

/**
 * Serves a {@link HealthEndpoint} from a Jakarta Servlet container (Servlet 6): map it to the
 * endpoint's base path and everything under it, for example {@code /health} and {@code /health/*}.
 * The path is taken from the request URI without the context path. Answers GET (and HEAD, through
 * {@link HttpServlet}); responses carry {@code Cache-Control: no-store}. Thread-safe.
 */
public final class HealthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient HealthEndpoint endpoint;

    /** @param endpoint the endpoint to serve */
    public HealthServlet(HealthEndpoint endpoint) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    /**
     * Answers a GET.
     *
     * @throws IOException when the response cannot be written
     */
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        String path = context != null && !context.isEmpty() && uri.startsWith(context)
                ? uri.substring(context.length()) : uri;
        HealthResponse answer = endpoint.handle(path, request.getHeader("Authorization")); // never throws
        response.setStatus(answer.status());
        response.setContentType(answer.contentType());
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(answer.body().length);
        response.getOutputStream().write(answer.body());
    }
}
