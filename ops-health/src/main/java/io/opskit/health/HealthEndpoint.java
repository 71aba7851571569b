package io.opskit.health;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A framework-neutral health endpoint: a request path and the caller's {@code Authorization}
 * header in, a {@link HealthResponse} out. The JDK {@code HttpServer} adapter is
 * {@link HealthHttpHandler}; the Jakarta Servlet adapter is
 * {@code io.opskit.health.servlet.HealthServlet}.
 *
 * <p>Paths under the base path (default {@code /health}): the base path itself runs every check,
 * {@code /live} the liveness group, {@code /ready} readiness, {@code /started} startup, and
 * {@code /<group>} a custom group. Anything else answers 404. The status code comes from the
 * engine's {@link StatusPolicy}; details follow the {@link DetailsPolicy}.
 *
 * <p>Immutable and thread-safe.
 */
public final class HealthEndpoint {

    private final OpsHealth health;
    private final String basePath;
    private final Map<String, String> aliases;
    private final DetailsPolicy details;
    private final HealthFormat format;

    private HealthEndpoint(Builder b) {
        this.health = b.health;
        this.basePath = b.basePath;
        this.aliases = Map.copyOf(b.aliases);
        this.details = b.details;
        this.format = b.format;
    }

    /**
     * Starts a builder: base path {@code /health}, details {@link DetailsPolicy#never()}, format
     * {@link HealthFormat#OPSKIT}.
     */
    public static Builder builder(OpsHealth health) {
        return new Builder(Objects.requireNonNull(health, "health"));
    }

    /**
     * Answers one request. Never throws: an unknown path is a 404 response.
     *
     * @param path          the request path without query string, for example {@code /health/ready}
     * @param authorization the request's {@code Authorization} header, or null when absent
     * @return the response; the body is the rendered report or {@code {"error": ...}}
     */
    public HealthResponse handle(String path, @Nullable String authorization) {
        Objects.requireNonNull(path, "path");
        String normalized = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        HealthReport report;
        if (normalized.equals(basePath)) {
            report = health.check();
        } else if (normalized.startsWith(basePath + "/")) {
            String name = normalized.substring(basePath.length() + 1);
            String group = aliases.getOrDefault(name, name);
            if (!health.groups().contains(group)) {
                return notFound(path);
            }
            report = health.check(group);
        } else {
            return notFound(path);
        }
        return new HealthResponse(report.httpStatus(), format.contentType(),
                format.render(report, details.allows(authorization)));
    }

    /** The base path this endpoint serves, for example {@code /health}. */
    public String basePath() {
        return basePath;
    }

    private static HealthResponse notFound(String path) {
        String quoted = new String(JsonStringEncoder.getInstance().quoteAsString(path));
        return new HealthResponse(404, "application/json",
                ("{\"error\":\"no health group at '" + quoted + "'\"}").getBytes(StandardCharsets.UTF_8));
    }

    /** Configures a {@link HealthEndpoint}. Not thread-safe. */
    public static final class Builder {
        private final OpsHealth health;
        private String basePath = "/health";
        private final Map<String, String> aliases = new LinkedHashMap<>(
                Map.of("live", "liveness", "ready", "readiness", "started", "startup"));
        private DetailsPolicy details = DetailsPolicy.never();
        private HealthFormat format = HealthFormat.OPSKIT;

        private Builder(OpsHealth health) {
            this.health = health;
        }

        /**
         * The base path. Default {@code /health}.
         *
         * @throws IllegalArgumentException when it does not start with '/' or ends with '/'
         */
        public Builder basePath(String value) {
            Objects.requireNonNull(value, "basePath");
            if (!value.startsWith("/") || (value.length() > 1 && value.endsWith("/"))) {
                throw new IllegalArgumentException("basePath must start with '/' and not end with '/': '" + value + "'");
            }
            this.basePath = value.equals("/") ? "" : value;
            return this;
        }

        /** Who sees per-check details. Default {@link DetailsPolicy#never()}. */
        public Builder details(DetailsPolicy value) {
            this.details = Objects.requireNonNull(value, "details");
            return this;
        }

        /** The JSON shape. Default {@link HealthFormat#OPSKIT}. */
        public Builder format(HealthFormat value) {
            this.format = Objects.requireNonNull(value, "format");
            return this;
        }

        /** Builds the endpoint. */
        public HealthEndpoint build() {
            return new HealthEndpoint(this);
        }
    }
}
