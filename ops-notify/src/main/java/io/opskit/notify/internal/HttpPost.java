package io.opskit.notify.internal;

import io.opskit.api.Redactor;
import io.opskit.notify.NotificationException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * One JSON POST with the JDK client, its outcome classified for retries: 2xx delivered; 408, 425,
 * 429 and 5xx transient; other statuses permanent; I/O errors (refused, reset, timed out) transient.
 * The URL is never put in a message (webhook URLs carry their credential in the path).
 */
public final class HttpPost {

    private static final int MAX_REPLY_CHARS = 200;

    private HttpPost() {
    }

    /**
     * Posts {@code body}.
     *
     * @return the HTTP status (2xx)
     * @throws NotificationException when the receiver did not accept it
     */
    public static int post(String notifier, HttpClient client, URI url, Map<String, String> headers, String body,
                           Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "opskit-notify")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new NotificationException(notifier, "could not reach " + where(url) + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + Redactor.redact(e.getMessage()))
                    + "); check that the receiver is up and reachable", true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotificationException(notifier, "interrupted while posting to " + where(url), true, e);
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            return status;
        }
        boolean transientStatus = status == 408 || status == 425 || status == 429 || status / 100 == 5;
        String reply = response.body() == null ? "" : response.body().strip();
        if (reply.length() > MAX_REPLY_CHARS) {
            reply = reply.substring(0, MAX_REPLY_CHARS) + "...";
        }
        throw new NotificationException(notifier, where(url) + " answered HTTP " + status
                + (reply.isEmpty() ? "" : ": " + Redactor.redact(reply.replaceAll("\\s+", " ")))
                + (transientStatus ? "; will retry" : "; fix the notifier's configuration (URL, key, payload)"),
                transientStatus, null);
    }

    /** The scheme, host and port of a URL: what a log line may say about it. */
    public static String where(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    /** Checks that {@code url} is absolute http(s). */
    public static URI requireHttp(URI url, String field) {
        if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())
                || url.getHost() == null) {
            throw new IllegalArgumentException(field + " must be an absolute http or https URL: "
                    + Redactor.redact(url.getScheme() + "://" + url.getHost()));
        }
        return url;
    }
}
