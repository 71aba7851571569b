package io.opskit.notify;

import io.opskit.api.Redactor;
import io.opskit.api.internal.Checks;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each event to the notifiers whose routes match it, so a host writes its policy in a few lines:
 *
 * <pre>{@code
 * NotifierRouter router = NotifierRouter.builder()
 *         .severityAtLeast(Severity.CRITICAL, pager)
 *         .severityAtLeast(Severity.WARNING, mail)
 *         .all(LoggingNotifier.create())
 *         .build();
 * }</pre>
 *
 * <p>Every matching route gets the event (a CRITICAL event above reaches the pager, the mail and the
 * log); a notifier on several matching routes gets it once. The {@link Builder#otherwise(Notifier)}
 * notifier gets events no route matched. A notifier that throws is logged at WARN the first time (at
 * DEBUG afterwards) and the others still get the event. {@link #close()} closes every routed notifier
 * that is {@link AutoCloseable}, once. Thread-safe.
 */
public final class NotifierRouter implements Notifier, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NotifierRouter.class);

    private final List<Route> routes;
    private final @Nullable Notifier otherwise;
    private final Set<Notifier> warned = ConcurrentHashMap.newKeySet();

    private NotifierRouter(Builder b) {
        this.routes = List.copyOf(b.routes);
        this.otherwise = b.otherwise;
    }

    /** A builder with no routes. */
    public static Builder builder() {
        return new Builder();
    }

    /** Delivers the event to each notifier whose route matches it; never throws for a notifier's failure. */
    @Override
    public void notify(OpsEvent event) {
        Objects.requireNonNull(event, "event");
        Map<Notifier, Boolean> sent = new IdentityHashMap<>();
        for (Route route : routes) {
            boolean matches;
            try {
                matches = route.when.test(event);
            } catch (RuntimeException e) {
                warnOnce(route.to, "route condition failed on " + event.type(), e);
                continue;
            }
            if (matches && sent.put(route.to, Boolean.TRUE) == null) {
                deliver(route.to, event);
            }
        }
        if (sent.isEmpty() && otherwise != null) {
            deliver(otherwise, event);
        }
    }

    private void deliver(Notifier to, OpsEvent event) {
        try {
            to.notify(event);
        } catch (RuntimeException e) {
            warnOnce(to, "notifier failed on " + event.type(), e);
        }
    }

    private void warnOnce(Notifier to, String what, RuntimeException e) {
        if (warned.add(to)) {
            log.warn("{} {} (later failures are logged at DEBUG): {}", to, what, Redactor.redact(e.toString()));
        } else {
            log.debug("{} {}: {}", to, what, Redactor.redact(e.toString()));
        }
    }

    /** Closes each routed notifier that is {@link AutoCloseable}, once each; failures are logged. Idempotent. */
    @Override
    public void close() {
        Map<Notifier, Boolean> done = new IdentityHashMap<>();
        List<Notifier> all = new ArrayList<>();
        routes.forEach(r -> all.add(r.to));
        if (otherwise != null) {
            all.add(otherwise);
        }
        for (Notifier n : all) {
            if (n instanceof AutoCloseable c && done.put(n, Boolean.TRUE) == null) {
                try {
                    c.close();
                } catch (Exception e) {
                    log.warn("closing {} failed: {}", n, Redactor.redact(e.toString()));
                }
            }
        }
    }

    private record Route(Predicate<OpsEvent> when, Notifier to) {
    }

    /** Builds a {@link NotifierRouter}; routes are repeatable and kept in order. Not thread-safe. */
    public static final class Builder {

        private final List<Route> routes = new ArrayList<>();
        private @Nullable Notifier otherwise;

        private Builder() {
        }

        /** Sends events for which {@code when} is true to {@code to}. */
        public Builder route(Predicate<OpsEvent> when, Notifier to) {
            routes.add(new Route(Objects.requireNonNull(when, "when"), Objects.requireNonNull(to, "to")));
            return this;
        }

        /** Sends events of at least {@code severity} to {@code to}. */
        public Builder severityAtLeast(Severity severity, Notifier to) {
            Objects.requireNonNull(severity, "severity");
            return route(e -> e.severity().compareTo(severity) >= 0, to);
        }

        /**
         * Sends events whose type starts with {@code prefix} ({@code "backup."}, {@code "alert.firing"})
         * to {@code to}.
         *
         * @throws IllegalArgumentException when the prefix is blank
         */
        public Builder typePrefix(String prefix, Notifier to) {
            Checks.requireNonBlank(prefix, "prefix");
            return route(e -> e.type().startsWith(prefix), to);
        }

        /**
         * Sends events whose source starts with {@code prefix} ({@code "health:"},
         * {@code "backup:app-db/"}) to {@code to}.
         *
         * @throws IllegalArgumentException when the prefix is blank
         */
        public Builder sourcePrefix(String prefix, Notifier to) {
            Checks.requireNonBlank(prefix, "prefix");
            return route(e -> e.source().startsWith(prefix), to);
        }

        /** Sends every event to {@code to}. */
        public Builder all(Notifier to) {
            return route(e -> true, to);
        }

        /** Sends events that no route matched to {@code to}; set once. */
        public Builder otherwise(Notifier to) {
            this.otherwise = Checks.setOnce(this.otherwise, to, "otherwise");
            return this;
        }

        /** The router. */
        public NotifierRouter build() {
            return new NotifierRouter(this);
        }
    }
}
