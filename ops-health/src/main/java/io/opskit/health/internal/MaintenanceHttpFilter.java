package io.opskit.health.internal;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;

/** The JDK {@code HttpServer} side of {@link MaintenanceGate}. Thread-safe. */
public final class MaintenanceHttpFilter extends Filter {

    private final MaintenanceGate gate;

    /** A filter that asks {@code gate}. */
    public MaintenanceHttpFilter(MaintenanceGate gate) {
        this.gate = gate;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        if (!gate.refuses(exchange.getRequestURI().getRawPath())) {
            chain.doFilter(exchange);
            return;
        }
        try (exchange) {
            byte[] body = gate.body();
            boolean head = "HEAD".equalsIgnoreCase(exchange.getRequestMethod());
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("Retry-After", gate.retryAfter());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(503, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public String description() {
        return "Opskit maintenance mode: 503 with Retry-After for every non-health request while it is on";
    }
}
