/**
 * Opskit Notify: notifiers that reach people (email over SMTP, JSON webhooks with Slack and Microsoft
 * Teams presets and HMAC signatures, PagerDuty Events API v2), delivery that never blocks the
 * publishing module (bounded queue, retries with backoff, per-source rate limits, draining close) and
 * routing by severity, type or source. Start at {@link io.opskit.notify.Notifiers}.
 */
module io.opskit.notify {
    requires transitive io.opskit.api;
    requires java.net.http;
    requires jakarta.mail;
    requires org.slf4j;
    requires static org.jspecify;
    requires static micrometer.core;

    exports io.opskit.notify;
}
