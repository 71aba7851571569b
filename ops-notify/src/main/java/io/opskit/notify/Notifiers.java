package io.opskit.notify;

import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.notify.internal.Events;
import java.util.Objects;

/**
 * The front door of Opskit Notify: asynchronous delivery for any {@link Notifier}.
 *
 * <pre>{@code
 * AsyncNotifier chat = Notifiers.async("team-hook", myNotifier,
 *         Delivery.builder().rateLimit(Duration.ofMinutes(10)).meterRegistry(registry).build());
 * }</pre>
 *
 * <p>The network notifiers ({@link EmailNotifier}, {@link WebhookNotifier}, {@link PagerDutyNotifier})
 * are asynchronous already: their builders' {@code build()} wrap them like this.
 */
public final class Notifiers {

    private Notifiers() {
    }

    /**
     * {@code delegate} behind a bounded queue with the {@link Delivery#defaults() default delivery}.
     *
     * @param name the name in metric tags and log lines; not blank
     * @throws IllegalArgumentException when the name is blank
     */
    public static AsyncNotifier async(String name, Notifier delegate) {
        return async(name, delegate, Delivery.defaults());
    }

    /**
     * {@code delegate} behind a bounded queue delivered as {@code delivery} says. The returned notifier
     * is running; close it to drain and stop it.
     *
     * @param name the name in metric tags and log lines; not blank
     * @throws IllegalArgumentException when the name is blank
     */
    public static AsyncNotifier async(String name, Notifier delegate, Delivery delivery) {
        return new AsyncNotifier(name, delegate, delivery);
    }

    /**
     * {@code delegate} receiving every event with its source, summary and label values passed through
     * {@link io.opskit.api.Redactor} first (a label named like a secret, {@code password=...}, is
     * masked whole). For host notifiers that write events somewhere themselves.
     */
    public static Notifier redacting(Notifier delegate) {
        Objects.requireNonNull(delegate, "delegate");
        return new Notifier() {
            @Override
            public void notify(OpsEvent event) {
                delegate.notify(Events.redact(event));
            }

            @Override
            public void notifyBatch(java.util.List<OpsEvent> events) {
                delegate.notifyBatch(events.stream().map(Events::redact).toList());
            }
        };
    }
}
