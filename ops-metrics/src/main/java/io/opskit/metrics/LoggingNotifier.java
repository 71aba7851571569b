package io.opskit.metrics;

import io.opskit.api.Redactor;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Notifier} that writes one log line per event through SLF4J (logger
 * {@code io.opskit.alerts}): WARN for WARNING and CRITICAL events, INFO otherwise. The summary is
 * redacted. Thread-safe; never throws.
 */
public final class LoggingNotifier implements Notifier {

    private static final Logger log = LoggerFactory.getLogger("io.opskit.alerts");

    private LoggingNotifier() {
    }

    /** A logging notifier. */
    public static LoggingNotifier create() {
        return new LoggingNotifier();
    }

    @Override
    public void notify(OpsEvent event) {
        String summary = Redactor.redact(event.summary());
        if (event.severity() == Severity.INFO) {
            log.info("{} {} [{}] {} {}", event.type(), event.source(), event.severity(), summary, event.labels());
        } else {
            log.warn("{} {} [{}] {} {}", event.type(), event.source(), event.severity(), summary, event.labels());
        }
    }
}
