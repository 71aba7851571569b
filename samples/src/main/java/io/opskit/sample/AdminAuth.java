package io.opskit.sample;

import com.sun.net.httpserver.HttpExchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;

/**
 * Checks the admin bearer token ({@code OPSKIT_ADMIN_TOKEN}). Comparison is constant-time; the
 * token never appears in a log line or a response.
 */
public final class AdminAuth {

    private final byte @Nullable [] token;

    AdminAuth(@Nullable String token) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /** True when admin endpoints are enabled (a token is configured). */
    public boolean enabled() {
        return token != null;
    }

    /**
     * True when the request carries {@code Authorization: Bearer TOKEN} with the configured token.
     * Always false when admin endpoints are disabled.
     */
    public boolean authorized(HttpExchange exchange) {
        return authorized(exchange.getRequestHeaders().getFirst("Authorization"));
    }

    /** The same check on a raw {@code Authorization} header value (null when absent). */
    public boolean authorized(@Nullable String authorizationHeader) {
        byte[] expected = token;
        if (expected == null || authorizationHeader == null) {
            return false;
        }
        String prefix = "Bearer ";
        if (!authorizationHeader.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return false;
        }
        byte[] given = authorizationHeader.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given);
    }
}
