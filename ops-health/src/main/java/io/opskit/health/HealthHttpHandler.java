package io.opskit.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Serves a {@link HealthEndpoint} on the JDK {@code HttpServer}: register it on the endpoint's base
 * path ({@code server.createContext("/health", new HealthHttpHandler(endpoint))}). Answers GET and
 * HEAD; other methods get 405. Responses carry {@code Cache-Control: no-store}. Thread-safe.
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
     * @throws IOException when the response cannot be written
     */
    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean head = "HEAD".equalsIgnoreCase(method);
            HealthResponse response;
            if (!head && !"GET".equalsIgnoreCase(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                response = new HealthResponse(405, "application/json",
                        "{\"error\":\"method not allowed\"}".getBytes(StandardCharsets.UTF_8));
            } else {
                response = endpoint.handle(exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders().getFirst("Authorization"));
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
