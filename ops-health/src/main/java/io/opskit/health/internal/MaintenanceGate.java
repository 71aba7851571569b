package io.opskit.health.internal;

import io.opskit.health.checks.MaintenanceMode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The decision the maintenance filters share: while maintenance mode is on, a request whose path
 * is not one of the passing paths (or under one) is refused with 503, {@code Retry-After} and a
 * JSON body. A path with a dot segment, an empty segment, a {@code ;} or a {@code %} never passes:
 * it could name a refused resource in disguise. Immutable and thread-safe.
 */
public final class MaintenanceGate {

    /** The paths that pass unless told otherwise: health probes and metrics scrapes. */
    public static final List<String> DEFAULT_PASS_PATHS = List.of("/health", "/metrics");
    /** The default {@code Retry-After}: 300 s. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofMinutes(5);

    private final MaintenanceMode mode;
    private final long retryAfterSeconds;
    private final List<String> passPaths;
    private final byte[] body;

    /**
     * @throws IllegalArgumentException when {@code retryAfter} is not between 1 s and one day, or
     *         a pass path does not start with '/' or ends with '/'
     */
    public MaintenanceGate(MaintenanceMode mode, Duration retryAfter, List<String> passPaths) {
        this.mode = Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.compareTo(Duration.ofSeconds(1)) < 0 || retryAfter.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("retryAfter must be between 1 s and 1 day: " + retryAfter);
        }
        Objects.requireNonNull(passPaths, "passPaths");
        for (int i = 0; i < passPaths.size(); i++) {
            String p = Objects.requireNonNull(passPaths.get(i), "passPaths[" + i + "]");
            if (!p.startsWith("/") || (p.length() > 1 && p.endsWith("/"))) {
                throw new IllegalArgumentException("passPaths must start with '/' and not end with '/': '" + p + "'");
            }
        }
        this.retryAfterSeconds = retryAfter.toSeconds();
        this.passPaths = List.copyOf(passPaths);
        this.body = new JsonWriter(160).beginObject()
                .name("error").value("maintenance")
                .name("message").value("the service is in maintenance mode; retry after " + retryAfterSeconds + " s")
                .name("retryAfterSeconds").value(retryAfterSeconds)
                .endObject().toBytes();
    }

    /** True when the request must be refused: maintenance is on and the path does not pass. */
    public boolean refuses(String path) {
        return mode.isOn() && !passes(path);
    }

    /** The {@code Retry-After} header's value, in seconds. */
    public String retryAfter() {
        return Long.toString(retryAfterSeconds);
    }

    /** The JSON body of a refusal; shared, do not modify. */
    public byte[] body() {
        return body;
    }

    private boolean passes(String path) {
        if (path.indexOf('%') >= 0 || path.indexOf(';') >= 0 || path.contains("//") || path.contains("/./")
                || path.contains("/../") || path.endsWith("/.") || path.endsWith("/..")) {
            return false;
        }
        for (String pass : passPaths) {
            if (pass.equals("/") || path.equals(pass) || path.startsWith(pass + "/")) {
                return true;
            }
        }
        return false;
    }
}
