package io.opskit.api.notify;

import java.util.List;
import java.util.Objects;

/**
 * Receives {@link OpsEvent}s. Implementations log, email, page or post to a webhook.
 *
 * <p>Implementations must be thread-safe. They should return quickly (hand slow delivery to
 * their own executor). A notifier that throws does not break the module that called it: the
 * caller logs the failure once at WARN and carries on.
 */
@FunctionalInterface
public interface Notifier {

    /**
     * Delivers one event.
     *
     * @param event the event; never null
     */
    void notify(OpsEvent event);

    /**
     * Delivers several events at once, in order. A notifier that can say them in one message (a
     * digest mail) overrides this; the default calls {@link #notify(OpsEvent)} for each. Opskit's
     * asynchronous delivery calls it when a host asks for digests.
     *
     * @param events the events, oldest first; never null, may be empty
     */
    default void notifyBatch(List<OpsEvent> events) {
        Objects.requireNonNull(events, "events");
        for (OpsEvent event : events) {
            notify(event);
        }
    }

    /** A notifier that drops every event. */
    static Notifier none() {
        return event -> { };
    }
}
