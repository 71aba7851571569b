package io.opskit.db.internal;

import io.opskit.api.Redactor;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one component's {@link OpsEvent}s to every notifier it was given. The summary is
 * redacted and kept to one line. A notifier that throws is logged at WARN the first time (then at
 * DEBUG) and the others still hear the event; publishing never fails the work that published.
 * Thread-safe.
 */
public final class DbEvents {

    private static final Logger log = LoggerFactory.getLogger(DbEvents.class);

    private final List<Notifier> notifiers;
    private final String component;
    private final Clock clock;
    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * @param notifiers who hears the events (copied)
     * @param component names the publisher in the notifier-failure log line
     * @param clock     stamps each event
     */
    public DbEvents(List<Notifier> notifiers, String component, Clock clock) {
        this.notifiers = List.copyOf(notifiers);
        this.component = component;
        this.clock = clock;
    }

    /** Publishes an event stamped now. */
    public void publish(String source, String type, Severity severity, String summary, Map<String, String> labels) {
        if (notifiers.isEmpty()) {
            return;
        }
        OpsEvent event = new OpsEvent(source, type, severity, Redactor.redact(summary.replaceAll("\\R", " ")), labels,
                clock.instant());
        for (Notifier n : notifiers) {
            try {
                n.notify(event);
            } catch (RuntimeException e) {
                if (warned.compareAndSet(false, true)) {
                    log.warn("{}: a notifier failed on {} (later failures are logged at DEBUG): {}", component, type,
                            e.toString());
                } else {
                    log.debug("{}: a notifier failed on {}: {}", component, type, e.toString());
                }
            }
        }
    }
}
