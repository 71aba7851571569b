package io.opskit.api.notify;

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

    /** A notifier that drops every event. */
    static Notifier none() {
        return event -> { };
    }
}
