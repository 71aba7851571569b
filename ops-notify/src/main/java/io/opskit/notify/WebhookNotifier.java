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
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Posts each event as JSON to a webhook: Opskit's own JSON (the default), a Slack-compatible
 * incoming-webhook message ({@link Builder#slack()}, also accepted by Mattermost and Rocket.Chat), a
 * Microsoft Teams Adaptive Card message ({@link Builder#teams()}, for a Teams Workflows webhook), or a
 * host template ({@link Builder#template(String)}).
 *
 * <p>The default body is {@code {"source":..,"type":..,"severity":"CRITICAL","summary":..,"at":..,
 * "labels":{..},"link":..}}. With a {@link Builder#signingSecret(String) signing secret} each request
 * carries {@value #TIMESTAMP_HEADER} (Unix seconds) and {@value #SIGNATURE_HEADER}
 * {@code sha256=HEX}, the HMAC-SHA256 of {@code TIMESTAMP + "." + BODY} with the secret; a receiver
 * checks it with {@link #verifySignature} and rejects old timestamps to stop replays.
 *
 * <p>Summaries and labels are redacted before they are written. The URL is never logged: Slack and
 * Teams webhook URLs are credentials. {@link #notify(OpsEvent)} posts synchronously and throws
 * {@link NotificationException} when the receiver does not accept the event;
 * {@link Builder#build()} wraps it in an {@link AsyncNotifier}. Thread-safe.
 */
public final class WebhookNotifier implements Notifier {

    /** The header with the Unix time in seconds that the signature covers. */
    public static final String TIMESTAMP_HEADER = "X-Opskit-Timestamp";
    /** The header with {@code sha256=} and the hex HMAC-SHA256 of {@code TIMESTAMP.BODY}. */
    public static final String SIGNATURE_HEADER = "X-Opskit-Signature";

    private static final String DEFAULT_TEMPLATE = "{\"source\":\"{source}\",\"type\":\"{type}\","
            + "\"severity\":\"{severity}\",\"summary\":\"{summary}\",\"at\":\"{at}\",\"labels\":{labels},"
            + "\"link\":\"{link}\"}";

    private enum Format { OPSKIT, SLACK, TEAMS, TEMPLATE }

    private final String name;
    private final URI url;
    private final HttpClient client;
    private final Duration timeout;
    private final Format format;
    private final EventTemplate template;
    private final @Nullable EventTemplate link;
    private final byte @Nullable [] secret;
    private final Map<String, String> headers;
    private final Clock clock;

    private WebhookNotifier(Builder b) {
        this.name = b.resolvedName();
        this.url = Checks.requirePresent(b.url, "url");
        this.client = b.resolvedClient();
        this.timeout = b.timeoutOr(Duration.ofSeconds(10));
        this.format = b.format == null ? Format.OPSKIT : b.format;
        this.template = b.template == null
                ? EventTemplate.parse(DEFAULT_TEMPLATE, EventTemplate.Escape.JSON, "template") : b.template;
        this.link = b.linkTemplate();
        this.secret = b.secret;
        this.headers = Map.copyOf(b.headers);
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    }

    /** A builder; {@link Builder#url(URI)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The name in log lines and metric tags. */
    public String name() {
        return name;
    }

    /**
     * Posts the event now.
     *
     * @throws NotificationException when it could not be delivered ({@link NotificationException#isTransient()}
     *                               for 5xx, 429 and connection failures)
     */
    @Override
    public void notify(OpsEvent event) {
        OpsEvent e = Events.redact(Objects.requireNonNull(event, "event"));
        String body = body(e);
        Map<String, String> h = new LinkedHashMap<>(headers);
        if (secret != null) {
            String timestamp = Long.toString(clock.instant().getEpochSecond());
            h.put(TIMESTAMP_HEADER, timestamp);
            h.put(SIGNATURE_HEADER, "sha256=" + hmacHex(secret, timestamp + "." + body));
        }
        HttpPost.post(name, client, url, h, body, timeout);
    }

    /** The request body for an (already redacted) event. */
    String body(OpsEvent e) {
        String linkText = link == null ? "" : link.render(e, "");
        return switch (format) {
            case SLACK -> slack(e, linkText);
            case TEAMS -> teams(e, linkText);
            case OPSKIT, TEMPLATE -> template.render(e, linkText);
        };
    }

    private static String slack(OpsEvent e, String link) {
        String icon = switch (e.severity()) {
            case CRITICAL -> ":red_circle:";
            case WARNING -> ":warning:";
            case INFO -> ":information_source:";
        };
        StringBuilder text = new StringBuilder()
                .append(icon).append(" *").append(mrkdwn(e.severity() + " " + e.type())).append("* ")
                .append(mrkdwn(e.source())).append('\n').append(mrkdwn(e.summary()));
        if (!e.labels().isEmpty()) {
            text.append('\n');
            e.labels().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(l ->
                    text.append("`").append(mrkdwn(l.getKey())).append("` ").append(mrkdwn(l.getValue())).append("  "));
        }
        if (!link.isEmpty()) {
            text.append("\n<").append(link.replace("|", "%7C").replace(">", "%3E")).append("|Open>");
        }
        return "{\"text\":" + Json.quote(text.toString().strip()) + "}";
    }

    /** Slack's mrkdwn escapes: &amp;, &lt; and &gt;. */
    private static String mrkdwn(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String teams(OpsEvent e, String link) {
        String color = e.severity() == Severity.CRITICAL ? "Attention"
                : e.severity() == Severity.WARNING ? "Warning" : "Good";
        StringBuilder facts = new StringBuilder();
        Map<String, String> all = new LinkedHashMap<>();
        all.put("source", e.source());
        all.put("at", e.at().toString());
        e.labels().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(l -> all.putIfAbsent(l.getKey(), l.getValue()));
        all.forEach((k, v) -> facts.append(facts.length() == 0 ? "" : ",")
                .append("{\"title\":").append(Json.quote(k)).append(",\"value\":").append(Json.quote(v)).append('}'));
        String actions = link.isEmpty() ? ""
                : ",\"actions\":[{\"type\":\"Action.OpenUrl\",\"title\":\"Open\",\"url\":" + Json.quote(link) + "}]";
        String card = "{\"$schema\":\"http://adaptivecards.io/schemas/adaptive-card.json\",\"type\":\"AdaptiveCard\","
                + "\"version\":\"1.4\",\"body\":["
                + "{\"type\":\"TextBlock\",\"size\":\"Medium\",\"weight\":\"Bolder\",\"wrap\":true,\"color\":"
                + Json.quote(color) + ",\"text\":" + Json.quote(e.severity() + " " + e.type()) + "},"
                + "{\"type\":\"TextBlock\",\"wrap\":true,\"text\":" + Json.quote(e.summary()) + "},"
                + "{\"type\":\"FactSet\",\"facts\":[" + facts + "]}]" + actions + "}";
        return "{\"type\":\"message\",\"attachments\":[{\"contentType\":\"application/vnd.microsoft.card.adaptive\","
                + "\"contentUrl\":null,\"content\":" + card + "}]}";
    }

    /**
     * Whether {@code signatureHeader} is the signature this notifier would send for {@code body} at
     * {@code timestamp} with {@code secret}. Compares in constant time. A receiver should also reject
     * timestamps older than a few minutes.
     *
     * @param secret          the shared secret
     * @param timestamp       the {@value #TIMESTAMP_HEADER} value
     * @param body            the raw request body, as received
     * @param signatureHeader the {@value #SIGNATURE_HEADER} value ({@code sha256=HEX})
     */
    public static boolean verifySignature(String secret, String timestamp, String body, String signatureHeader) {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(signatureHeader, "signatureHeader");
        String expected = "sha256=" + hmacHex(secret.getBytes(StandardCharsets.UTF_8), timestamp + "." + body);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                signatureHeader.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    private static String hmacHex(byte[] key, String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "WebhookNotifier[" + name + " -> " + HttpPost.where(url) + "]";
    }

    /**
     * Builds a {@link WebhookNotifier}; {@link #url(URI)} is required. Each property may be set once
     * ({@link IllegalStateException} {@code "FIELD was already set"}); the body format ({@link #slack()},
     * {@link #teams()}, {@link #template(String)}) is one property. Bad values throw
     * {@link IllegalArgumentException} naming the field. The name defaults to {@code webhook}, the
     * whole-request {@link #timeout(Duration) timeout} to 10 s. Not thread-safe.
     */
    public static final class Builder extends HttpNotifierBuilder<WebhookNotifier, Builder> {

        private @Nullable URI url;
        private @Nullable Format format;
        private @Nullable EventTemplate template;
        private byte @Nullable [] secret;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private @Nullable Clock clock;

        private Builder() {
            super("webhook");
        }

        /**
         * Where to post; required. Keep it out of source control: chat webhook URLs are credentials.
         *
         * @throws IllegalArgumentException when not an absolute http or https URL
         */
        public Builder url(URI value) {
            Checks.requireUnset(url, "url");
            this.url = HttpPost.requireHttp(Objects.requireNonNull(value, "url"), "url");
            return this;
        }

        /** Posts Slack-compatible incoming-webhook messages ({@code {"text": ...}} in mrkdwn). */
        public Builder slack() {
            return format(Format.SLACK, null);
        }

        /** Posts a Microsoft Teams message with an Adaptive Card (for a Teams Workflows webhook). */
        public Builder teams() {
            return format(Format.TEAMS, null);
        }

        /**
         * Posts {@code jsonTemplate} with its placeholders filled and JSON-escaped: {@code {source}},
         * {@code {type}}, {@code {severity}}, {@code {severity_lower}}, {@code {summary}}, {@code {at}},
         * {@code {label.NAME}}, {@code {link}}, {@code {color}} (inside string literals) and
         * {@code {labels}} (a JSON object, outside them).
         *
         * @throws IllegalArgumentException naming an unknown placeholder
         */
        public Builder template(String jsonTemplate) {
            return format(Format.TEMPLATE, EventTemplate.parse(Objects.requireNonNull(jsonTemplate, "template"),
                    EventTemplate.Escape.JSON, "template"));
        }

        private Builder format(Format value, @Nullable EventTemplate t) {
            Checks.requireUnset(format, "format");
            this.format = value;
            this.template = t;
            return this;
        }

        /**
         * Signs each request with HMAC-SHA256 under {@code value} (at least 16 characters).
         *
         * @throws IllegalArgumentException when shorter (the message does not repeat it)
         */
        public Builder signingSecret(String value) {
            Checks.requireUnset(secret, "signingSecret");
            Objects.requireNonNull(value, "signingSecret");
            if (value.length() < 16) {
                throw new IllegalArgumentException("signingSecret must have at least 16 characters: " + value.length());
            }
            this.secret = value.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /** An extra request header (repeatable; a later value for the same name replaces the earlier). */
        public Builder header(String headerName, String value) {
            Checks.requireNonBlank(headerName, "header name");
            headers.put(headerName, Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The wall clock for signature timestamps (default UTC system clock). */
        public Builder clock(Clock value) {
            this.clock = Checks.setOnce(this.clock, value, "clock");
            return this;
        }

        /**
         * The webhook notifier itself: {@code notify} posts on the caller's thread and throws on failure.
         *
         * @throws IllegalStateException when the URL is missing
         */
        @Override
        public WebhookNotifier buildSynchronous() {
            return new WebhookNotifier(this);
        }
    }
}
