package io.opskit.sample;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Small helpers for writing responses from {@code HttpServer} handlers. */
public final class HttpResponses {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpResponses() {
    }

    /** The shared, thread-safe Jackson mapper of the sample. */
    public static ObjectMapper json() {
        return JSON;
    }

    /** Serializes {@code body} as JSON and sends it with {@code status}. Closes the exchange. */
    public static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, "application/json", JSON.writeValueAsBytes(body));
    }

    /** Sends {@code body} as UTF-8 text with the given content type. Closes the exchange. */
    public static void sendText(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        send(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a JSON error body {@code {"error": reason}}. Closes the exchange. */
    public static void sendError(HttpExchange exchange, int status, String reason) throws IOException {
        sendJson(exchange, status, Map.of("error", reason));
    }

    /** Sends raw bytes. Closes the exchange. */
    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean noBody = "HEAD".equals(exchange.getRequestMethod()) || status == 204;
        exchange.sendResponseHeaders(status, noBody ? -1 : body.length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }
}
