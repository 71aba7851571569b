package io.opskit.api.health;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one run of a {@link HealthCheck}: a status, an optional one-line message, and
 * details (small JSON-friendly values: strings, numbers, booleans, lists and maps of them).
 *
 * <p>Immutable and thread-safe. The details map keeps insertion order and is unmodifiable.
 */
public final class HealthResult {

    private final HealthStatus status;
    private final @Nullable String message;
    private final Map<String, Object> details;

    private HealthResult(HealthStatus status, @Nullable String message, Map<String, Object> details) {
        this.status = status;
        this.message = message;
        this.details = details;
    }

    /** A result with status {@link HealthStatus#UP} and no details. */
    public static HealthResult up() {
        return new HealthResult(HealthStatus.UP, null, Map.of());
    }

    /**
     * A result with status {@link HealthStatus#DOWN}.
     *
     * @param message a one-line reason without secrets; not null
     */
    public static HealthResult down(String message) {
        return new HealthResult(HealthStatus.DOWN, Objects.requireNonNull(message, "message"), Map.of());
    }

    /**
     * A result with the given status and message.
     *
     * @param status  the status; not null
     * @param message a one-line explanation, or null
     */
    public static HealthResult of(HealthStatus status, @Nullable String message) {
        return new HealthResult(Objects.requireNonNull(status, "status"), message, Map.of());
    }

    /**
     * Starts a builder for a result with the given status.
     *
     * @param status the status; not null
     */
    public static Builder builder(HealthStatus status) {
        return new Builder(Objects.requireNonNull(status, "status"));
    }

    /** The status; never null. */
    public HealthStatus status() {
        return status;
    }

    /** A one-line explanation; empty when there is none. */
    public Optional<String> message() {
        return Optional.ofNullable(message);
    }

    /** The details, in insertion order; unmodifiable, possibly empty. */
    public Map<String, Object> details() {
        return details;
    }

    /**
     * A copy of this result with one more detail (replacing a detail of the same key).
     *
     * @param key   the detail's name; not null
     * @param value the detail's value; not null
     */
    public HealthResult withDetail(String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(details);
        copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new HealthResult(status, message, Collections.unmodifiableMap(copy));
    }

    /**
     * A copy of this result with another status, keeping message and details.
     *
     * @param newStatus the status; not null
     */
    public HealthResult withStatus(HealthStatus newStatus) {
        return new HealthResult(Objects.requireNonNull(newStatus, "newStatus"), message, details);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthResult r
                && r.status == status
                && Objects.equals(r.message, message)
                && r.details.equals(details);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, message, details);
    }

    @Override
    public String toString() {
        return "HealthResult{" + status + (message == null ? "" : ", " + message) + ", " + details + '}';
    }

    /** Builds a {@link HealthResult}. Not thread-safe; use from one thread. */
    public static final class Builder {
        private HealthStatus status;
        private @Nullable String message;
        private final Map<String, Object> details = new LinkedHashMap<>();

        private Builder(HealthStatus status) {
            this.status = status;
        }

        /** Replaces the status. */
        public Builder status(HealthStatus value) {
            this.status = Objects.requireNonNull(value, "status");
            return this;
        }

        /** Sets the one-line message (null clears it). */
        public Builder message(@Nullable String value) {
            this.message = value;
            return this;
        }

        /** Adds or replaces a detail. Both arguments must be non-null. */
        public Builder detail(String key, Object value) {
            details.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Builds the immutable result. */
        public HealthResult build() {
            return new HealthResult(status, message, Collections.unmodifiableMap(new LinkedHashMap<>(details)));
        }
    }
}
