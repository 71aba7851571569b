package io.opskit.sample;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Set;

/**
 * What stands between a socket and a route's handler, beyond the server's own limits: the path
 * must be the route's exact path (or, for a tree route, the path or one below it) or the request
 * gets 404; a request body must have an accepted {@code Content-Type} (415) and fit in the route's
 * limit (413). The body is read into memory before the handler runs, so a slow body cannot hold
 * a handler and the handler reads a complete, bounded body. Thread-safe.
 */
final class RouteGuard implements HttpHandler {

    private final String path;
    private final boolean tree;
    private final long maxBodyBytes;
    private final Set<String> contentTypes;
    private final HttpHandler handler;

    RouteGuard(String path, boolean tree, long maxBodyBytes, Set<String> contentTypes, HttpHandler handler) {
        this.path = path;
        this.tree = tree;
        this.maxBodyBytes = maxBodyBytes;
        this.contentTypes = Set.copyOf(contentTypes);
        this.handler = handler;
    }

    /** Whether a request path belongs to this route. */
    boolean matches(String requestPath) {
        if (requestPath.equals(path)) {
            return true;
        }
        return tree && requestPath.startsWith(path.endsWith("/") ? path : path + "/");
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!matches(exchange.getRequestURI().getPath())) {
            HttpResponses.sendError(exchange, 404, "no such resource");
            return;
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        boolean chunked = exchange.getRequestHeaders().getFirst("Transfer-Encoding") != null;
        long declared = parseLength(length);
        if (declared > 0 || chunked) {
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            String mediaType = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!contentTypes.contains(mediaType)) {
                HttpResponses.sendError(exchange, 415, "Content-Type must be " + String.join(" or ", contentTypes)
                        + (type == null ? " (none was sent)" : ": " + type));
                return;
            }
            if (declared > maxBodyBytes) {
                tooLarge(exchange);
                return;
            }
            byte[] body = readAtMost(exchange.getRequestBody(), maxBodyBytes);
            if (body == null) {
                tooLarge(exchange);
                return;
            }
            exchange.setStreams(new ByteArrayInputStream(body), null);
        }
        handler.handle(exchange);
    }

    private void tooLarge(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Connection", "close");
        HttpResponses.sendError(exchange, 413, "request body larger than " + maxBodyBytes + " bytes");
    }

    private static long parseLength(@org.jspecify.annotations.Nullable String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // the server refuses a malformed length before we see it
        }
    }

    /** The whole body, or null when it is longer than {@code max}. */
    private static byte @org.jspecify.annotations.Nullable [] readAtMost(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(max, 8192));
        byte[] buffer = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > max) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
