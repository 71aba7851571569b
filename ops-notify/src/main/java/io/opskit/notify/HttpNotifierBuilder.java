package io.opskit.notify;

import io.opskit.api.internal.Checks;
import io.opskit.api.notify.Notifier;
import java.net.http.HttpClient;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The settings of the builders of notifiers that post over HTTP ({@link WebhookNotifier.Builder},
 * {@link PagerDutyNotifier.Builder}) beyond those of every {@link NotifierBuilder}: the JDK
 * {@link HttpClient} they post with. Only this package's builders extend it.
 *
 * @param <N> the synchronous notifier the builder makes
 * @param <B> the builder itself, returned by each setter
 */
public abstract class HttpNotifierBuilder<N extends Notifier, B extends HttpNotifierBuilder<N, B>>
        extends NotifierBuilder<N, B> {

    private @Nullable HttpClient client;

    HttpNotifierBuilder(String defaultName) {
        super(defaultName);
    }

    /**
     * The HTTP client (default: a new JDK client with a 5 s connect timeout). Its connect timeout
     * and proxy apply; the request timeout is {@link #timeout(Duration)}.
     */
    public B httpClient(HttpClient value) {
        this.client = Checks.setOnce(this.client, value, "httpClient");
        @SuppressWarnings("unchecked") // B is this builder's own type, as every subclass declares it
        B self = (B) this;
        return self;
    }

    /** @return the client given, or a new default one */
    HttpClient resolvedClient() {
        return client == null ? HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build() : client;
    }
}
