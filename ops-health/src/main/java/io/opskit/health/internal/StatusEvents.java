package io.opskit.health.internal;

import io.opskit.api.health.HealthStatus;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import io.opskit.health.CheckResult;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns status changes into one log line and one {@link OpsEvent} per transition (not per run).
 * A first result of UP is not a transition. A notifier that throws is logged at WARN the first
 * time and at DEBUG afterwards; it never breaks the engine. Thread-safe.
 */
public final class StatusEvents {

    /** The event type published on every transition. */
    public static final String TYPE = "health.status_changed";

    private static final Logger log = LoggerFactory.getLogger("io.opskit.health");

    private final List<Notifier> notifiers;
    private final Clock clock;
    private final Set<Notifier> failedOnce = ConcurrentHashMap.newKeySet();

    /** Publishes to {@code notifiers} with timestamps from {@code clock}. */
    public StatusEvents(List<Notifier> notifiers, Clock clock) {
        this.notifiers = List.copyOf(notifiers);
        this.clock = clock;
    }

    /** Publishes the transition from {@code previous} to the result's status, if it is one. */
    public void changed(@Nullable HealthStatus previous, CheckResult result) {
        HealthStatus now = result.status();
        if (previous == now || (previous == null && now == HealthStatus.UP)) {
            return;
        }
        String from = previous == null ? "NONE" : previous.name();
        String summary = "health check '" + result.name() + "' changed from " + from + " to " + now
                + result.message().map(m -> ": " + m).orElse("");
        Severity severity = severity(now, result.critical());
        if (severity == Severity.INFO) {
            log.info(summary);
        } else {
            log.warn(summary);
        }
        if (notifiers.isEmpty()) {
            return;
        }
        OpsEvent event = new OpsEvent("health:" + result.name(), TYPE, severity, summary,
                Map.of("check", result.name(), "from", from, "to", now.name(),
                        "critical", String.valueOf(result.critical())),
                clock.instant());
        for (Notifier notifier : notifiers) {
            try {
                notifier.notify(event);
            } catch (Throwable e) { // a notifier's Error must not stop the others or the engine
                if (failedOnce.add(notifier)) {
                    log.warn("health notifier {} failed; later failures are logged at DEBUG: {}",
                            notifier.getClass().getName(), Failures.describe(e));
                } else {
                    log.debug("health notifier {} failed again: {}", notifier.getClass().getName(),
                            Failures.describe(e));
                }
            }
        }
    }

    private static Severity severity(HealthStatus status, boolean critical) {
        switch (status) {
            case UP:
                return Severity.INFO;
            case DEGRADED:
            case OUT_OF_SERVICE:
                return Severity.WARNING;
            default:
                return critical ? Severity.CRITICAL : Severity.WARNING;
        }
    }
}
