package io.opskit.backup;

import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the repository's {@link OpsEvent}s to every notifier it was given. A notifier that
 * throws is logged once at WARN and the others still hear the event; publishing never fails the
 * operation that published.
 */
final class BackupEvents {

    /** A backup was committed. INFO. */
    static final String SUCCEEDED = "backup.succeeded";
    /** A backup could not be taken or committed. CRITICAL. */
    static final String FAILED = "backup.failed";
    /** A verification found a committed backup corrupt. CRITICAL. */
    static final String VERIFY_FAILED = "backup.verify_failed";
    /** A level-3 test restore (restore drill) failed. CRITICAL. */
    static final String RESTORE_DRILL_FAILED = "backup.restore_drill_failed";
    /** The newest verified backup became older than the RPO. CRITICAL. */
    static final String FRESHNESS_LOST = "backup.freshness_lost";
    /** A prune was refused because it would delete more than the policy allows. WARNING. */
    static final String PRUNE_REFUSED = "backup.prune_refused";

    private static final Logger log = LoggerFactory.getLogger(BackupEvents.class);

    private final List<Notifier> notifiers;
    private final String repository;
    private final Clock clock;
    private final AtomicBoolean warned = new AtomicBoolean();

    BackupEvents(List<Notifier> notifiers, String repository, Clock clock) {
        this.notifiers = List.copyOf(notifiers);
        this.repository = repository;
        this.clock = clock;
    }

    /** {@code backup:REPO/SOURCE}; several source names are joined with {@code +}. */
    String source(List<String> sourceNames) {
        return "backup:" + repository + "/" + (sourceNames.isEmpty() ? "*" : String.join("+", sourceNames));
    }

    boolean hasNotifiers() {
        return !notifiers.isEmpty();
    }

    String repository() {
        return repository;
    }

    void publish(String type, Severity severity, List<String> sourceNames, String summary, Map<String, String> labels) {
        if (notifiers.isEmpty()) {
            return;
        }
        Map<String, String> all = new LinkedHashMap<>();
        all.put("repository", repository);
        all.put("source", String.join("+", sourceNames));
        all.putAll(labels);
        OpsEvent event = new OpsEvent(source(sourceNames), type, severity, oneLine(summary), all, clock.instant());
        for (Notifier n : notifiers) {
            try {
                n.notify(event);
            } catch (RuntimeException e) {
                if (warned.compareAndSet(false, true)) {
                    log.warn("a notifier failed on {} (later failures are logged at DEBUG): {}", type, e.toString());
                } else {
                    log.debug("a notifier failed on {}: {}", type, e.toString());
                }
            }
        }
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\R", " ");
    }
}
