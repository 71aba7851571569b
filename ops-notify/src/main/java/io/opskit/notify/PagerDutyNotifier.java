package io.opskit.notify;

import io.opskit.api.internal.Checks;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import io.opskit.notify.internal.EventTemplate;
import io.opskit.notify.internal.Events;
import io.opskit.notify.internal.HttpPost;
import io.opskit.notify.internal.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Opens and resolves PagerDuty incidents through the Events API v2
 * ({@code POST https://events.pagerduty.com/v2/enqueue}).
 *
 * <p>An event is a <em>resolve</em> when its type ends in {@code .resolved}, {@code .recovered} or
 * {@code .succeeded}, or it is {@code health.status_changed} to {@code UP}; it is a <em>trigger</em>
 * when it is not a resolve and its severity is at least {@link Builder#minSeverity(Severity)} (default
 * CRITICAL); anything else is not sent. The {@code dedup_key} is the event's source, so
 * {@code alert.firing} then {@code alert.resolved} of {@code alert:pool-usage} open and close one
 * incident, and a {@code backup.succeeded} closes the incident its {@code backup.failed} opened.
 * Payload: {@code summary} (redacted, at most 1,024 characters), {@code source}, {@code severity}
 * ({@code critical}, {@code warning} or {@code info}), {@code timestamp}, {@code component} (the
 * event type) and the labels as {@code custom_details}.
 *
 * <p>The routing key is a secret: it is never logged. {@link #notify(OpsEvent)} posts synchronously
 * and throws {@link NotificationException} (transient for 429, 5xx and connection failures);
 * {@link Builder#build()} wraps it in an {@link AsyncNotifier}. Thread-safe.
 */
public final class PagerDutyNotifier implements Notifier {

    /** PagerDuty's Events API v2 endpoint. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://events.pagerduty.com/v2/enqueue");

    private static final int MAX_SUMMARY = 1024;
    private static final int MAX_DEDUP_KEY = 255;

    private final String name;
    private final URI endpoint;
    private final String routingKey;
    private final Severity minSeverity;
    private final @Nullable EventTemplate link;
    private final HttpClient client;
    private final Duration timeout;

    private PagerDutyNotifier(Builder b) {
        this.name = b.resolvedName();
        this.routingKey = Checks.requirePresent(b.routingKey, "routingKey");
        this.endpoint = b.endpoint == null ? DEFAULT_ENDPOINT : b.endpoint;
        this.minSeverity = b.minSeverity == null ? Severity.CRITICAL : b.minSeverity;
        this.link = b.linkTemplate();
        this.client = b.resolvedClient();
        this.timeout = b.timeoutOr(Duration.ofSeconds(10));
    }

    /** A builder; {@link Builder#routingKey(String)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The name in log lines and metric tags. */
    public String name() {
        return name;
    }

    /**
     * Sends the trigger or resolve this event stands for, if any.
     *
     * @throws NotificationException when PagerDuty did not accept it
     */
    @Override
    public void notify(OpsEvent event) {
        Optional<String> body = body(Events.redact(Objects.requireNonNull(event, "event")));
        body.ifPresent(b -> HttpPost.post(name, client, endpoint, Map.of(), b, timeout));
    }

    /** The request body for an (already redacted) event, empty when it is not sent. */
    Optional<String> body(OpsEvent e) {
        String dedupKey = e.source().length() > MAX_DEDUP_KEY ? e.source().substring(0, MAX_DEDUP_KEY) : e.source();
        String head = "{\"routing_key\":" + Json.quote(routingKey) + ",\"dedup_key\":" + Json.quote(dedupKey);
        if (isResolve(e)) {
            return Optional.of(head + ",\"event_action\":\"resolve\"}");
        }
        if (e.severity().compareTo(minSeverity) < 0) {
            return Optional.empty();
        }
        String summary = e.summary().isBlank() ? e.type() + " " + e.source() : e.summary();
        if (summary.length() > MAX_SUMMARY) {
            summary = summary.substring(0, MAX_SUMMARY - 3) + "...";
        }
        String links = "";
        if (link != null) {
            links = ",\"links\":[{\"href\":" + Json.quote(link.render(e, "")) + ",\"text\":\"Details\"}]";
        }
        return Optional.of(head + ",\"event_action\":\"trigger\",\"client\":\"Opskit\",\"payload\":{"
                + "\"summary\":" + Json.quote(summary)
                + ",\"source\":" + Json.quote(e.source())
                + ",\"severity\":" + Json.quote(e.severity().name().toLowerCase(Locale.ROOT))
                + ",\"timestamp\":" + Json.quote(e.at().toString())
                + ",\"component\":" + Json.quote(e.type())
                + ",\"custom_details\":" + Json.object(e.labels()) + "}" + links + "}");
    }

    /** Whether the event ends the incident of its source. */
    static boolean isResolve(OpsEvent e) {
        String t = e.type();
        return t.endsWith(".resolved") || t.endsWith(".recovered") || t.endsWith(".succeeded")
                || ("health.status_changed".equals(t) && "UP".equals(e.labels().get("to")));
    }

    @Override
    public String toString() {
        return "PagerDutyNotifier[" + name + " -> " + HttpPost.where(endpoint) + "]";
    }

    /**
     * Builds a {@link PagerDutyNotifier}; {@link #routingKey(String)} is required. Each property may be
     * set once ({@link IllegalStateException} {@code "FIELD was already set"}); bad values throw
     * {@link IllegalArgumentException} naming the field. The name defaults to {@code pagerduty}, the
     * whole-request {@link #timeout(Duration) timeout} to 10 s. Not thread-safe.
     */
    public static final class Builder extends HttpNotifierBuilder<PagerDutyNotifier, Builder> {

        private @Nullable String routingKey;
        private @Nullable URI endpoint;
        private @Nullable Severity minSeverity;

        private Builder() {
            super("pagerduty");
        }

        /**
         * The integration's routing key (32 characters in PagerDuty); required. Read it from the
         * environment or a secret store, never from a committed file.
         *
         * @throws IllegalArgumentException when blank or containing whitespace (the message does not repeat it)
         */
        public Builder routingKey(String value) {
            Checks.requireUnset(routingKey, "routingKey");
            Objects.requireNonNull(value, "routingKey");
            if (value.isBlank() || !value.strip().equals(value) || value.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("routingKey must be a non-blank key without spaces (length "
                        + value.length() + ")");
            }
            this.routingKey = value;
            return this;
        }

        /**
         * Where to post (default {@link #DEFAULT_ENDPOINT}); tests and EU accounts
         * ({@code https://events.eu.pagerduty.com/v2/enqueue}) set it.
         *
         * @throws IllegalArgumentException when not an absolute http or https URL
         */
        public Builder endpoint(URI value) {
            Checks.requireUnset(endpoint, "endpoint");
            this.endpoint = HttpPost.requireHttp(Objects.requireNonNull(value, "endpoint"), "endpoint");
            return this;
        }

        /** The least severity that opens an incident (default CRITICAL). */
        public Builder minSeverity(Severity value) {
            this.minSeverity = Checks.setOnce(this.minSeverity, value, "minSeverity");
            return this;
        }

        /**
         * The notifier itself: {@code notify} posts on the caller's thread and throws on failure.
         *
         * @throws IllegalStateException when the routing key is missing
         */
        @Override
        public PagerDutyNotifier buildSynchronous() {
            return new PagerDutyNotifier(this);
        }
    }
}
