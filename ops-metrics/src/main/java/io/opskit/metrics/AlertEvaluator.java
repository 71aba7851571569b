package io.opskit.metrics;

import io.opskit.api.Redactor;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates {@link AlertRule}s in process, for hosts without Prometheus, and sends their
 * transitions to {@link Notifier}s.
 *
 * <p>Each {@link #evaluate()} reads every rule once. A rule whose condition starts to hold becomes
 * {@link AlertState#PENDING} (event {@code alert.pending}, INFO); once it has held for the rule's
 * {@code for} duration it becomes {@link AlertState#FIRING} (event {@code alert.firing}, the rule's
 * severity); when it stops holding a firing rule is resolved (event {@code alert.resolved}, INFO) and
 * a pending one silently returns to inactive. A value source that throws counts as no data (the
 * condition does not hold) and is logged at WARN once until it reads again. A notifier that throws
 * is logged at WARN once per episode and does not stop the others. Summaries pass through
 * {@link Redactor}.
 *
 * <p>Time comes from the injected {@link Clock}; scheduling from the host's executor
 * ({@link #start(ScheduledExecutorService, Duration)}). Thread-safe: evaluations are serialized.
 */
public final class AlertEvaluator implements AutoCloseable {

    /** Event type when a rule's condition starts to hold. */
    public static final String PENDING = "alert.pending";
    /** Event type when a rule fires. */
    public static final String FIRING = "alert.firing";
    /** Event type when a firing rule's condition stops holding. */
    public static final String RESOLVED = "alert.resolved";

    private static final Logger log = LoggerFactory.getLogger(AlertEvaluator.class);

    private final Clock clock;
    private final List<Notifier> notifiers;
    private final Map<String, Tracked> rules = new LinkedHashMap<>();
    private final boolean[] notifierFailing;
    private @Nullable ScheduledFuture<?> schedule;

    private AlertEvaluator(Builder b) {
        this.clock = b.clock;
        this.notifiers = List.copyOf(b.notifiers);
        this.notifierFailing = new boolean[notifiers.size()];
        for (AlertRule rule : b.rules) {
            rules.put(rule.name(), new Tracked(rule));
        }
    }

    /** A builder with the system UTC clock and no notifier. */
    public static Builder builder() {
        return new Builder();
    }

    /** Reads every rule once and notifies the transitions. */
    public synchronized void evaluate() {
        Instant now = clock.instant();
        for (Tracked t : rules.values()) {
            double value = read(t);
            boolean breached = t.rule.breached(value);
            switch (t.state) {
                case INACTIVE -> {
                    if (breached) {
                        t.activeSince = now;
                        t.state = AlertState.PENDING;
                        send(t, PENDING, Severity.INFO, value, now);
                        if (t.rule.forDuration().isZero()) {
                            fire(t, value, now);
                        }
                    }
                }
                case PENDING -> {
                    if (!breached) {
                        t.state = AlertState.INACTIVE;
                        t.activeSince = null;
                    } else if (heldFor(t.activeSince, now).compareTo(t.rule.forDuration()) >= 0) {
                        fire(t, value, now);
                    }
                }
                case FIRING -> {
                    if (!breached) {
                        t.state = AlertState.INACTIVE;
                        t.activeSince = null;
                        send(t, RESOLVED, Severity.INFO, value, now);
                    }
                }
            }
        }
    }

    /**
     * How long a condition has held. Compared as durations rather than {@code activeSince.plus(for)},
     * which overflows for a {@code for} near {@code Long.MAX_VALUE} seconds and used to throw inside
     * the loop, leaving every later rule unevaluated.
     */
    private static Duration heldFor(@Nullable Instant activeSince, Instant now) {
        return activeSince == null ? Duration.ZERO : Duration.between(activeSince, now);
    }

    private void fire(Tracked t, double value, Instant now) {
        t.state = AlertState.FIRING;
        send(t, FIRING, t.rule.severity(), value, now);
    }

    private double read(Tracked t) {
        try {
            double value = t.rule.read();
            t.sourceFailing = false;
            return value;
        } catch (RuntimeException e) {
            if (!t.sourceFailing) {
                t.sourceFailing = true;
                log.warn("alert rule {}: value source failed, treated as no data until it reads again: {}",
                        t.rule.name(), Redactor.redact(String.valueOf(e)));
            }
            return Double.NaN;
        }
    }

    private void send(Tracked t, String type, Severity severity, double value, Instant now) {
        AlertRule rule = t.rule;
        Map<String, String> labels = new LinkedHashMap<>(rule.labels());
        labels.put("alertname", rule.name());
        labels.put("severity", rule.severity().name().toLowerCase(java.util.Locale.ROOT));
        String summary = Redactor.redact(rule.summary() + " (value " + value + " " + rule.comparison().operator()
                + " " + rule.threshold() + ")");
        OpsEvent event = new OpsEvent("alert:" + rule.name(), type, severity, summary, labels, now);
        for (int i = 0; i < notifiers.size(); i++) {
            try {
                notifiers.get(i).notify(event);
                notifierFailing[i] = false;
            } catch (RuntimeException e) {
                if (!notifierFailing[i]) {
                    notifierFailing[i] = true;
                    log.warn("notifier {} failed; alerts may not reach it until it recovers: {}",
                            notifiers.get(i).getClass().getName(), Redactor.redact(String.valueOf(e)));
                }
            }
        }
    }

    /**
     * The state of a rule.
     *
     * @throws IllegalArgumentException when no rule has that name
     */
    public synchronized AlertState state(String rule) {
        Tracked t = rules.get(rule);
        if (t == null) {
            throw new IllegalArgumentException("alert rule is not evaluated here: '" + rule + "'");
        }
        return t.state;
    }

    /** The rules, in the order given. */
    public List<AlertRule> rules() {
        List<AlertRule> list = new ArrayList<>();
        for (Tracked t : rules.values()) {
            list.add(t.rule);
        }
        return list;
    }

    /**
     * Evaluates every {@code interval} on {@code executor} until {@link #close()}.
     *
     * @throws IllegalArgumentException when the interval is not positive
     * @throws IllegalStateException    when already started
     */
    public synchronized void start(ScheduledExecutorService executor, Duration interval) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        if (schedule != null) {
            throw new IllegalStateException("alert evaluator already started");
        }
        long millis = interval.toMillis();
        schedule = executor.scheduleAtFixedRate(() -> {
            try {
                evaluate();
            } catch (RuntimeException e) {
                log.warn("alert evaluation failed: {}", Redactor.redact(String.valueOf(e)));
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
        log.info("alert evaluator started: {} rules every {}", rules.size(), interval);
    }

    /** Stops the schedule, if any. Safe to call more than once. */
    @Override
    public synchronized void close() {
        if (schedule != null) {
            schedule.cancel(false);
            schedule = null;
            log.info("alert evaluator stopped");
        }
    }

    private static final class Tracked {
        final AlertRule rule;
        AlertState state = AlertState.INACTIVE;
        @Nullable Instant activeSince;
        boolean sourceFailing;

        Tracked(AlertRule rule) {
            this.rule = rule;
        }
    }

    /** Configuration of an {@link AlertEvaluator}. Not thread-safe. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private final List<Notifier> notifiers = new ArrayList<>();
        private final List<AlertRule> rules = new ArrayList<>();

        private Builder() {
        }

        /** The clock that times {@code for} durations. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Adds a notifier for transitions. */
        public Builder notifier(Notifier notifier) {
            notifiers.add(Objects.requireNonNull(notifier, "notifier"));
            return this;
        }

        /**
         * Adds a rule.
         *
         * @throws IllegalArgumentException when a rule of that name was already added
         */
        public Builder rule(AlertRule rule) {
            Objects.requireNonNull(rule, "rule");
            for (AlertRule r : rules) {
                if (r.name().equals(rule.name())) {
                    throw new IllegalArgumentException("alert rule name must be unique: '" + rule.name() + "'");
                }
            }
            rules.add(rule);
            return this;
        }

        /** Builds the evaluator; every rule starts inactive. */
        public AlertEvaluator build() {
            return new AlertEvaluator(this);
        }
    }
}
