package io.opskit.health.checks;

import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.health.internal.Failures;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * An HTTP GET with the JDK {@link HttpClient}: {@code UP} when the status code is the expected
 * one (by default any 2xx) within the timeout (default 5 s), {@code DOWN} otherwise. The body is
 * discarded. The URL in details and messages has its user info and query removed, so a credential
 * in the URL is never shown. Immutable and thread-safe.
 */
public final class HttpEndpointCheck implements HealthCheck {

    private final URI uri;
    private final HttpClient client;
    private final Duration timeout;
    private final int expectedStatus;

    private HttpEndpointCheck(URI uri, HttpClient client, Duration timeout, int expectedStatus) {
        this.uri = uri;
        this.client = client;
        this.timeout = timeout;
        this.expectedStatus = expectedStatus;
    }

    /**
     * A check of {@code uri} (http or https) expecting any 2xx within 5 s.
     *
     * @throws IllegalArgumentException when the scheme is not http or https
     */
    public static HttpEndpointCheck of(URI uri) {
        Objects.requireNonNull(uri, "uri");
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("uri must be http or https: " + safe(uri));
        }
        Duration timeout = Duration.ofSeconds(5);
        return new HttpEndpointCheck(uri, client(timeout), timeout, 0);
    }

    /**
     * A copy that expects exactly {@code status}.
     *
     * @throws IllegalArgumentException when not between 100 and 599
     */
    public HttpEndpointCheck withExpectedStatus(int status) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("expectedStatus must be between 100 and 599: " + status);
        }
        return new HttpEndpointCheck(uri, client, timeout, status);
    }

    /**
     * A copy with another timeout for connecting and for the response.
     *
     * @throws IllegalArgumentException when not positive
     */
    public HttpEndpointCheck withTimeout(Duration value) {
        Objects.requireNonNull(value, "timeout");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + value);
        }
        return new HttpEndpointCheck(uri, client(value), value, expectedStatus);
    }

    /** A copy that uses the host's client (its TLS settings, proxy, executor). */
    public HttpEndpointCheck withClient(HttpClient value) {
        return new HttpEndpointCheck(uri, Objects.requireNonNull(value, "client"), timeout, expectedStatus);
    }

    /**
     * Sends the request.
     *
     * @throws InterruptedException when interrupted (by the engine's timeout)
     */
    @Override
    public HealthResult check() throws InterruptedException {
        long start = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("User-Agent", "opskit-health").build();
        try {
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            long millis = (System.nanoTime() - start) / 1_000_000;
            int code = response.statusCode();
            boolean ok = expectedStatus == 0 ? code >= 200 && code < 300 : code == expectedStatus;
            String expected = expectedStatus == 0 ? "2xx" : String.valueOf(expectedStatus);
            return HealthResult.builder(ok ? HealthStatus.UP : HealthStatus.DOWN)
                    .message(ok ? "HTTP " + code + " in " + millis + " ms" : "HTTP " + code + ", expected " + expected)
                    .detail("url", safe(uri)).detail("statusCode", code).detail("responseMs", millis).build();
        } catch (IOException e) {
            return HealthResult.builder(HealthStatus.DOWN).message(Failures.describe(e))
                    .detail("url", safe(uri)).detail("error", e.getClass().getName()).build();
        }
    }

    private static HttpClient client(Duration timeout) {
        return HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** scheme://host:port/path, without user info, query or fragment. */
    static String safe(URI uri) {
        StringBuilder s = new StringBuilder();
        s.append(uri.getScheme()).append("://").append(uri.getHost());
        if (uri.getPort() >= 0) {
            s.append(':').append(uri.getPort());
        }
        if (uri.getRawPath() != null) {
            s.append(uri.getRawPath());
        }
        return s.toString();
    }
}
