package io.opskit.metrics;

import io.opskit.api.internal.Checks;
import io.opskit.api.internal.DurationText;
import io.opskit.metrics.internal.JsonReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * {@link GateSource#prometheus(URI, MetricsExport)}: instant queries against {@code /api/v1/query}
 * with the JDK {@code HttpClient}. Answers are read up to {@value #MAX_ANSWER_BYTES} bytes. Thread-safe.
 */
final class PrometheusGateSource implements GateSource {

    static final int MAX_ANSWER_BYTES = 1 << 20;

    private final URI queryUri;
    private final String shown;
    private final MetricsExport export;
    private final Duration timeout;
    private final HttpClient http;

    PrometheusGateSource(URI baseUri, MetricsExport export, Duration timeout) {
        Objects.requireNonNull(baseUri, "baseUri");
        this.export = Objects.requireNonNull(export, "export");
        this.timeout = Checks.requirePositive(timeout, "timeout", Duration.ofMinutes(5));
        if (!baseUri.isAbsolute() || baseUri.getHost() == null
                || !("http".equals(baseUri.getScheme()) || "https".equals(baseUri.getScheme()))
                || baseUri.getRawQuery() != null || baseUri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("baseUri must be an absolute http or https URI without query or "
                    + "user info: " + baseUri.getScheme() + "://" + baseUri.getHost());
        }
        String path = baseUri.getRawPath() == null || baseUri.getRawPath().isEmpty() ? "/" : baseUri.getRawPath();
        String base = baseUri.getScheme() + "://" + baseUri.getRawAuthority() + (path.endsWith("/") ? path : path + "/");
        this.queryUri = URI.create(base + "api/v1/query");
        this.shown = "prometheus " + base.substring(0, base.length() - 1);
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public SloEvents events(Slo slo, Duration window) {
        double total = query(export.eventsQuery(slo, window), slo);
        if (Double.isNaN(total)) {
            total = 0; // no series: no request counted yet
        }
        double judged = query(export.judgedEventsQuery(slo, window), slo);
        Duration threshold = slo.latencyThreshold().orElse(null);
        if (threshold == null) {
            return new SloEvents(total, Double.isNaN(judged) ? 0 : Math.min(judged, total));
        }
        if (total > 0 && Double.isNaN(judged)) {
            throw new DeployGateException("Prometheus has no histogram bucket le=\"" + MetricsExport.leValue(threshold) + "\" for latency slo '" + slo.name()
                    + "': publish the request histogram with that threshold as an edge");
        }
        double good = Double.isNaN(judged) ? 0 : Math.min(judged, total);
        return new SloEvents(total, total - good);
    }

    /** The sum of an instant vector's values; NaN for an empty vector (no series). */
    private double query(String promql, Slo slo) {
        URI uri = URI.create(queryUri + "?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET()
                .build();
        int status;
        String body;
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            try (InputStream in = response.body()) {
                byte[] bytes = in.readNBytes(MAX_ANSWER_BYTES + 1);
                if (bytes.length > MAX_ANSWER_BYTES) {
                    throw new DeployGateException(shown + " answered more than " + MAX_ANSWER_BYTES
                            + " bytes for slo '" + slo.name() + "'");
                }
                body = new String(bytes, StandardCharsets.UTF_8);
            }
        } catch (HttpTimeoutException e) {
            throw new DeployGateException(shown + " did not answer within " + DurationText.format(timeout)
                    + " for slo '" + slo.name() + "'", e);
        } catch (IOException e) {
            throw new DeployGateException(shown + " cannot be reached for slo '" + slo.name() + "': " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeployGateException("interrupted while querying " + shown, e);
        }
        Object json;
        try {
            json = JsonReader.parse(body);
        } catch (IllegalArgumentException e) {
            throw new DeployGateException(shown + " answered HTTP " + status + " with no JSON for slo '" + slo.name()
                    + "': " + e.getMessage(), e);
        }
        Map<?, ?> root = json instanceof Map<?, ?> m ? m : Map.of();
        if (status != 200 || !"success".equals(root.get("status"))) {
            Object error = root.get("error");
            throw new DeployGateException(shown + " refused the query for slo '" + slo.name() + "' (HTTP " + status
                    + "): " + (error instanceof String s ? s : "no error message"));
        }
        return sum(root.get("data"), slo);
    }

    private double sum(@Nullable Object data, Slo slo) {
        if (!(data instanceof Map<?, ?> d) || !(d.get("result") instanceof List<?> result)) {
            if (data instanceof Map<?, ?> d && "scalar".equals(d.get("resultType"))) {
                return sample(d.get("result"), slo);
            }
            throw new DeployGateException(shown + " answered without data.result for slo '" + slo.name() + "'");
        }
        if (result.isEmpty()) {
            return Double.NaN;
        }
        double sum = 0;
        for (Object series : result) {
            if (!(series instanceof Map<?, ?> s)) {
                throw new DeployGateException(shown + " answered a result that is not a series for slo '"
                        + slo.name() + "'");
            }
            sum += sample(s.get("value"), slo);
        }
        return sum;
    }

    /** {@code [timestamp, "value"]}: the value, as Prometheus writes it (also {@code NaN}, {@code +Inf}). */
    private double sample(@Nullable Object value, Slo slo) {
        if (value instanceof List<?> pair && pair.size() == 2 && pair.get(1) instanceof String text) {
            double v = "NaN".equals(text) ? Double.NaN : "+Inf".equals(text) ? Double.POSITIVE_INFINITY
                    : "-Inf".equals(text) ? Double.NEGATIVE_INFINITY : parse(text, slo);
            if (!Double.isFinite(v) || v < 0) {
                throw new DeployGateException(shown + " answered " + text + " for slo '" + slo.name()
                        + "', not a count of requests");
            }
            return v;
        }
        throw new DeployGateException(shown + " answered a sample that is not [time, \"value\"] for slo '"
                + slo.name() + "'");
    }

    private double parse(String text, Slo slo) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new DeployGateException(shown + " answered '" + text + "' for slo '" + slo.name()
                    + "', not a number", e);
        }
    }

    @Override
    public String describe() {
        return shown;
    }
}
