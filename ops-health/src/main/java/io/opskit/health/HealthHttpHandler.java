package io.opskit.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.opskit.health.internal.JsonRendering;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Serves a {@link HealthEndpoint} on the JDK {@code HttpServer}: register it on the endpoint's base
 * path ({@code server.createContext("/health", new HealthHttpHandler(endpoint))}). Answers GET and
 * HEAD; other methods get 405. Responses carry {@code Cache-Control: no-store}. Every exchange gets
 * a response: a failure before the headers are sent answers 500 with a JSON error body instead of
 * dropping the connection. Thread-safe.
 */
public final class HealthHttpHandler implements HttpHandler {

    private final HealthEndpoint endpoint;

    /** @param endpoint the endpoint to serve */
    public HealthHttpHandler(HealthEndpoint endpoint) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    /**
     * Answers one exchange and closes it.
     *
     * @throws IOException when the response cannot be written (the client went away)
     */
    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean head = "HEAD".equalsIgnoreCase(method);
            HealthResponse response;
            try {
                if (!head && !"GET".equalsIgnoreCase(method)) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    response = new HealthResponse(405, "application/json", JsonRendering.error("method not allowed"));
                } else {
                    response = endpoint.handle(exchange.getRequestURI().getPath(),
                            exchange.getRequestHeaders().getFirst("Authorization"));
                }
            } catch (RuntimeException | Error e) { // HealthEndpoint.handle does not throw; a broken exchange might
                response = new HealthResponse(500, "application/json",
                        JsonRendering.error("the health request could not be answered"));
            }
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(response.status(), head ? -1 : response.body().length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        }
    }
}
