package io.opskit.health;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a {@link HealthEndpoint} answers: an HTTP status code, a content type and a body. Adapters
 * copy it onto their framework's response and add {@code Cache-Control: no-store}.
 *
 * @param status      the HTTP status code
 * @param contentType the content type of {@code body}
 * @param body        the body bytes (UTF-8); not copied, do not modify
 */
public record HealthResponse(int status, String contentType, byte[] body) {

    /** Validates. */
    public HealthResponse {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
