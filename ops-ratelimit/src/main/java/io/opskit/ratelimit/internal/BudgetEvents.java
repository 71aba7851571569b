package io.opskit.ratelimit.internal;

import io.opskit.api.Usd;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@code budget.soft_limit} (once per line and period, when spend reaches the soft limit) and
 * {@code budget.hard_limit} (once per line and period, at the first refusal) to every notifier. A
 * notifier that throws is logged and skipped. Thread-safe.
 */
final class BudgetEvents {

    private static final Logger log = LoggerFactory.getLogger(BudgetEvents.class);

    private final List<Notifier> notifiers;
    private final Clock clock;

    BudgetEvents(List<Notifier> notifiers, Clock clock) {
        this.notifiers = List.copyOf(notifiers);
        this.clock = clock;
    }

    /** Called after spend changed: warns once when it reached the soft limit. */
    void spent(BudgetLine line, PeriodCounter c, long spentMicros) {
        if (spentMicros >= line.softMicros && c.softWarned.compareAndSet(false, true)) {
            announce(line, c, "budget.soft_limit", Severity.WARNING, "crossed its soft limit of "
                    + Usd.ofMicros(line.softMicros) + ": spent " + Usd.ofMicros(spentMicros));
        }
    }

    /** Called at a refusal: announces the first one of the period. */
    void refused(BudgetLine line, PeriodCounter c, long neededMicros, long remainingMicros) {
        if (c.hardRefused.compareAndSet(false, true)) {
            announce(line, c, "budget.hard_limit", Severity.CRITICAL, "refused a call at its hard limit of "
                    + Usd.ofMicros(line.hardMicros) + ": needed " + Usd.ofMicros(neededMicros) + ", "
                    + Usd.ofMicros(remainingMicros) + " left");
        }
    }

    private void announce(BudgetLine line, PeriodCounter c, String type, Severity severity, String what) {
        if (notifiers.isEmpty()) {
            return;
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("level", line.level.name().toLowerCase(java.util.Locale.ROOT));
        labels.put("scope", line.scope);
        labels.put("period", c.key.period());
        OpsEvent event = new OpsEvent("budget:" + line.scope, type, severity,
                "AI budget " + line.scope + " for " + c.key.period() + " " + what, labels, clock.instant());
        for (Notifier n : notifiers) {
            try {
                n.notify(event);
            } catch (RuntimeException e) {
                log.warn("budget {}: a notifier failed on {}: {}", line.scope, type, e.toString());
            }
        }
    }
}
