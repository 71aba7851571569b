package io.opskit.metrics;

import io.opskit.api.Redactor;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Notifier} that writes one log line per event through SLF4J (logger
 * {@code io.opskit.alerts}): WARN for WARNING and CRITICAL events, INFO otherwise. The source, the
 * summary and every label value are redacted (a label named like a secret, {@code password=...}, is
 * masked whole).
 *
 * <p>{@link #create()} skips the event types whose publishing module already writes the same line
 * ({@link #ALREADY_LOGGED}: ops-health logs each status change, ops-backup each committed backup,
 * ops-jobs its failures and windows, ops-db its storage levels and finished retention runs), so
 * the log does not say everything twice; {@link #logEverything()} logs them too. Thread-safe; never
 * throws.
 */
public final class LoggingNotifier implements Notifier {

    /**
     * Event types whose publisher already logs a line saying the same: {@code health.status_changed}
     * (ops-health), {@code backup.succeeded} (ops-backup, "backup ... committed"), {@code job.failed},
     * {@code job.missed}, {@code job.recovered}, {@code maintenance.started} and
     * {@code maintenance.ended} (ops-jobs), the {@code db.storage.*} level changes and
     * {@code db.retention.completed} (ops-db, "retention ...: archive to ... N rows").
     */
    public static final Set<String> ALREADY_LOGGED = Set.of("health.status_changed", "backup.succeeded",
            "job.failed", "job.missed", "job.recovered", "maintenance.started", "maintenance.ended",
            "db.storage.ok", "db.storage.warning", "db.storage.critical", "db.storage.full",
            "db.retention.completed");

    private static final Logger log = LoggerFactory.getLogger("io.opskit.alerts");

    private final Set<String> skipped;

    private LoggingNotifier(Set<String> skipped) {
        this.skipped = skipped;
    }

    /** A logging notifier that skips the types in {@link #ALREADY_LOGGED}. */
    public static LoggingNotifier create() {
        return new LoggingNotifier(ALREADY_LOGGED);
    }

    /** A logging notifier that logs every event, including those their module already logged. */
    public static LoggingNotifier logEverything() {
        return new LoggingNotifier(Set.of());
    }

    @Override
    public void notify(OpsEvent event) {
        Objects.requireNonNull(event, "event");
        if (skipped.contains(event.type())) {
            return;
        }
        String summary = Redactor.redact(event.summary());
        String source = Redactor.redact(event.source());
        Map<String, String> labels = redactedLabels(event.labels());
        if (event.severity() == Severity.INFO) {
            log.info("{} {} [{}] {} {}", event.type(), source, event.severity(), summary, labels);
        } else {
            log.warn("{} {} [{}] {} {}", event.type(), source, event.severity(), summary, labels);
        }
    }

    /** Label values redacted; a value whose label name is that of a secret is masked whole. */
    static Map<String, String> redactedLabels(Map<String, String> labels) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            String key = e.getKey();
            String pair = Redactor.redact(key + "=" + e.getValue());
            String value = pair.startsWith(key + "=") ? pair.substring(key.length() + 1) : Redactor.redact(e.getValue());
            out.put(Redactor.redact(key), value);
        }
        return out;
    }
}
