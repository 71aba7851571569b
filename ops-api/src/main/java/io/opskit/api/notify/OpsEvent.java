package io.opskit.api.notify;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Something an operator may want to hear about, published by an Opskit module.
 *
 * <p>{@code source} names the module and thing ({@code "health:database"},
 * {@code "alert:pool-usage"}, {@code "budget:openai/gpt-4o"}); {@code type} is a short
 * machine-readable kind ({@code "health.status_changed"}, {@code "alert.firing"},
 * {@code "alert.resolved"}, {@code "budget.soft_limit"}, {@code "backup.failed"}); {@code summary}
 * is one line for a human; {@code labels} carry small string attributes (never secrets).
 *
 * <p>Immutable and thread-safe; the labels map is copied and unmodifiable.
 *
 * @param source   what the event is about; not blank
 * @param type     the kind of event; not blank
 * @param severity how urgent it is
 * @param summary  one line for a human; not null
 * @param labels   small attributes; copied
 * @param at       when it happened
 */
public record OpsEvent(String source, String type, Severity severity, String summary,
                       Map<String, String> labels, Instant at) {

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException when {@code source} or {@code type} is blank
     * @throws NullPointerException     when any argument is null
     */
    public OpsEvent {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(at, "at");
        if (source.isBlank()) {
            throw new IllegalArgumentException("source must not be blank: '" + source + "'");
        }
        if (type.isBlank()) {
            throw new IllegalArgumentException("type must not be blank: '" + type + "'");
        }
        labels = Map.copyOf(Objects.requireNonNull(labels, "labels"));
    }
}
