package io.opskit.metrics;

import io.opskit.api.Redactor;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.metrics.internal.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Notifier} that POSTs {@code alert.firing} and {@code alert.resolved} events as
 * Alertmanager webhook JSON (version 4: {@code status}, {@code receiver}, {@code groupKey},
 * {@code alerts[]} with {@code labels}, {@code annotations}, {@code startsAt}, {@code endsAt},
 * {@code fingerprint}) with the JDK {@link HttpClient}, so any webhook receiver written for
 * Alertmanager accepts it. Other event types are ignored.
 *
 * <p>Delivery is asynchronous: {@link #notify(OpsEvent)} returns at once. A failed delivery (error or
 * non-2xx) is logged at WARN once per episode, then at DEBUG until one succeeds. Label values and the
 * summary are redacted. Thread-safe.
 */
public final class AlertmanagerWebhookNotifier implements Notifier {

    private static final Logger log = LoggerFactory.getLogger(AlertmanagerWebhookNotifier.class);
    private static final String NO_END = "0001-01-01T00:00:00Z";

    private final URI endpoint;
    private final HttpClient client;
    private final String receiver;
    private final Duration timeout;
    private final Map<String, Instant> startedAt = new ConcurrentHashMap<>();
    private final AtomicBoolean failing = new AtomicBoolean();

    private AlertmanagerWebhookNotifier(URI endpoint, HttpClient client, String receiver, Duration timeout) {
        this.endpoint = endpoint;
        this.client = client;
        this.receiver = receiver;
        this.timeout = timeout;
    }

    /**
     * A notifier posting to {@code endpoint} with a new {@link HttpClient}, receiver {@code opskit}
     * and a 10 s timeout.
     *
     * @throws IllegalArgumentException when the endpoint is not http or https
     */
    public static AlertmanagerWebhookNotifier to(URI endpoint) {
        return to(endpoint, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), "opskit",
                Duration.ofSeconds(10));
    }

    /**
     * A notifier with the host's client, receiver name and request timeout.
     *
     * @throws IllegalArgumentException when the endpoint is not http or https, the receiver is blank or
     *                                  the timeout is not positive
     */
    public static AlertmanagerWebhookNotifier to(URI endpoint, HttpClient client, String receiver, Duration timeout) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(receiver, "receiver");
        Objects.requireNonNull(timeout, "timeout");
        if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme())) {
            throw new IllegalArgumentException("endpoint must be an http or https URI: "
                    + Redactor.redact(endpoint.toString()));
        }
        if (receiver.isBlank()) {
            throw new IllegalArgumentException("receiver must not be blank: '" + receiver + "'");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return new AlertmanagerWebhookNotifier(endpoint, client, receiver, timeout);
    }

    @Override
    public void notify(OpsEvent event) {
        send(event);
    }

    /**
     * Delivers an alert event.
     *
     * @return the HTTP status, or -1 when the event is not an alert or delivery failed; never completes
     *         exceptionally
     */
    public CompletableFuture<Integer> send(OpsEvent event) {
        boolean firing = AlertEvaluator.FIRING.equals(event.type());
        boolean resolved = AlertEvaluator.RESOLVED.equals(event.type());
        if (!firing && !resolved) {
            return CompletableFuture.completedFuture(-1);
        }
        String body = payload(event, firing);
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .handle((response, error) -> {
                    int status = response == null ? -1 : response.statusCode();
                    if (error == null && status / 100 == 2) {
                        if (failing.compareAndSet(true, false)) {
                            log.info("alert webhook delivering again");
                        }
                        return status;
                    }
                    String reason = error != null ? String.valueOf(error) : "HTTP " + status;
                    if (failing.compareAndSet(false, true)) {
                        log.warn("alert webhook delivery failed, alerts may be lost until it recovers: {}",
                                Redactor.redact(reason));
                    } else {
                        log.debug("alert webhook delivery failed again: {}", Redactor.redact(reason));
                    }
                    return -1;
                });
    }

    String payload(OpsEvent event, boolean firing) {
        Map<String, String> labels = new TreeMap<>();
        for (Map.Entry<String, String> e : event.labels().entrySet()) {
            labels.put(e.getKey(), Redactor.redact(e.getValue()));
        }
        labels.putIfAbsent("alertname", event.source());
        String fingerprint = String.format("%016x", (long) labels.hashCode() * 0x9E3779B97F4A7C15L);
        Instant starts = firing ? event.at() : startedAt.getOrDefault(fingerprint, event.at());
        if (firing) {
            startedAt.put(fingerprint, event.at());
        } else {
            startedAt.remove(fingerprint);
        }
        String status = firing ? "firing" : "resolved";
        String labelsJson = object(labels);
        String annotations = object(Map.of("summary", Redactor.redact(event.summary()), "source", event.source()));
        String alert = "{\"status\":" + Json.quote(status) + ",\"labels\":" + labelsJson
                + ",\"annotations\":" + annotations + ",\"startsAt\":" + Json.quote(starts.toString())
                + ",\"endsAt\":" + Json.quote(firing ? NO_END : event.at().toString())
                + ",\"generatorURL\":\"\",\"fingerprint\":" + Json.quote(fingerprint) + "}";
        Map<String, String> group = Map.of("alertname", labels.get("alertname"));
        return "{\"version\":\"4\",\"groupKey\":" + Json.quote("{}:{alertname=\"" + labels.get("alertname") + "\"}")
                + ",\"truncatedAlerts\":0,\"status\":" + Json.quote(status) + ",\"receiver\":" + Json.quote(receiver)
                + ",\"groupLabels\":" + object(group) + ",\"commonLabels\":" + labelsJson
                + ",\"commonAnnotations\":" + annotations + ",\"externalURL\":\"\",\"alerts\":[" + alert + "]}";
    }

    private static String object(Map<String, String> map) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
        }
        return sb.append('}').toString();
    }
}
