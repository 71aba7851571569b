package io.opskit.health;

import io.opskit.health.internal.Failures;
import io.opskit.health.internal.JsonRendering;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger log = LoggerFactory.getLogger(HealthEndpoint.class);
    /** Path segments of unreserved characters only: no query, fragment, encoding or dot segment. */
    private static final Pattern BASE_PATH = Pattern.compile("(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+");

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
     * Answers one request. Never throws: an unknown path is a 404 response, and a failure while
     * checking or rendering (which the engine does not expect) is a 500 response with a JSON error
     * body, logged once per request at WARN.
     *
     * @param path          the request path without query string, for example {@code /health/ready}
     * @param authorization the request's {@code Authorization} header, or null when absent
     * @return the response; the body is the rendered report or {@code {"error": ...}}
     */
    public HealthResponse handle(String path, @Nullable String authorization) {
        Objects.requireNonNull(path, "path");
        try {
            return answer(path, authorization);
        } catch (Throwable t) {
            log.warn("health endpoint failed to answer {}: {}", Failures.scrub(path), Failures.describe(t));
            return new HealthResponse(500, "application/json",
                    JsonRendering.error("the health report could not be rendered (" + Failures.typeName(t) + ")"));
        }
    }

    private HealthResponse answer(String path, @Nullable String authorization) {
        String normalized = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        HealthReport report;
        if (normalized.equals(basePath) || (basePath.isEmpty() && normalized.equals("/"))) {
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
        return new HealthResponse(404, "application/json",
                JsonRendering.error("no health group at '" + Failures.scrub(path) + "'"));
    }

    /** Configures a {@link HealthEndpoint}. Not thread-safe. */
    public static final class Builder {
        private final OpsHealth health;
        private String basePath = "/health";
        private final Map<String, String> aliases = new LinkedHashMap<>(
                Map.of("live", "liveness", "ready", "readiness", "started", "startup"));
        private DetailsPolicy details = DetailsPolicy.never();
        private HealthFormat format = HealthFormat.OPSKIT;
        private boolean basePathSet;
        private boolean detailsSet;
        private boolean formatSet;

        private Builder(OpsHealth health) {
            this.health = health;
        }

        /**
         * The base path. Default {@code /health}.
         *
         * @throws IllegalArgumentException when it is not {@code /} or a path of segments of
         *         letters, digits and {@code . _ ~ -} (no query, fragment, percent-encoding, dot
         *         segment or trailing '/')
         * @throws IllegalStateException    when already set
         */
        public Builder basePath(String value) {
            Objects.requireNonNull(value, "basePath");
            if (!value.equals("/") && !BASE_PATH.matcher(value).matches()) {
                throw new IllegalArgumentException("basePath must be '/' or '/'-separated segments of letters, digits "
                        + "and '._~-' without a trailing '/': '" + value + "'");
            }
            if (basePathSet) {
                throw new IllegalStateException("basePath was already set");
            }
            basePathSet = true;
            this.basePath = value.equals("/") ? "" : value;
            return this;
        }

        /**
         * Who sees per-check details. Default {@link DetailsPolicy#never()}.
         *
         * @throws IllegalStateException when already set
         */
        public Builder details(DetailsPolicy value) {
            Objects.requireNonNull(value, "details");
            if (detailsSet) {
                throw new IllegalStateException("details was already set");
            }
            detailsSet = true;
            this.details = value;
            return this;
        }

        /**
         * The JSON shape. Default {@link HealthFormat#OPSKIT}.
         *
         * @throws IllegalStateException when already set
         */
        public Builder format(HealthFormat value) {
            Objects.requireNonNull(value, "format");
            if (formatSet) {
                throw new IllegalStateException("format was already set");
            }
            formatSet = true;
            this.format = value;
            return this;
        }

        /** Builds the endpoint. */
        public HealthEndpoint build() {
            return new HealthEndpoint(this);
        }
    }
}
