package io.opskit.metrics;

import io.opskit.api.Redactor;
import io.opskit.api.Threshold;
import io.opskit.api.internal.Checks;
import io.opskit.api.notify.AlertSilence;
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
import java.util.Optional;
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
 * <p>Each {@link #evaluate()} reads every rule once and moves the alert of each of its levels
 * ({@link AlertRule#levels()}: warning and critical, each as its own Prometheus rule would). A level
 * whose condition starts to hold becomes {@link AlertState#PENDING} (event {@code alert.pending},
 * INFO); once it has held for the rule's {@code for} duration it becomes {@link AlertState#FIRING}
 * (event {@code alert.firing}, severity WARNING or CRITICAL, label {@code severity}); when it stops
 * holding a firing level is resolved (event {@code alert.resolved}, INFO) and a pending one silently
 * returns to inactive. A value source that throws counts as no data (the
 * condition does not hold) and is logged at WARN once until it reads again. A notifier that throws
 * is logged at WARN once per episode and does not stop the others. Summaries pass through
 * {@link Redactor}.
 *
 * <h2>Silences</h2>
 * Each evaluation asks the {@link AlertSilence}s given to {@link Builder#silence} (such as an
 * ops-jobs maintenance window) whether a rule is silenced now. A silenced rule is still evaluated
 * ({@link #state} moves as usual) but none of its events is sent. On the first evaluation after its
 * silence ends, receivers hear the net change: {@code alert.firing} when the rule is firing and they
 * did not hear it fire (it fired during the silence), {@code alert.resolved} when they heard it fire
 * and it resolved during the silence, nothing when it is where they last heard it (firing
 * throughout, or fired and resolved within the silence). {@code alert.pending} events of the silence
 * are not replayed. The late event's summary says what held it back. So a notification of a rule
 * still firing when a window ends arrives at most one evaluation interval after the window closes.
 *
 * <p>Time comes from the injected {@link Clock}; background evaluation from
 * {@link Builder#evaluateEvery(Duration)}, on the host's scheduler or a daemon thread of the
 * evaluator's own. Thread-safe: evaluations are serialized.
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
    private final List<AlertSilence> silences;
    private final boolean[] silenceFailing;
    private final Map<String, Tracked> rules = new LinkedHashMap<>();
    private final boolean[] notifierFailing;
    private @Nullable ScheduledFuture<?> schedule;
    private @Nullable ScheduledExecutorService ownScheduler;

    private AlertEvaluator(Builder b) {
        this.clock = b.clock;
        this.notifiers = List.copyOf(b.notifiers);
        this.silences = List.copyOf(b.silences);
        this.silenceFailing = new boolean[silences.size()];
        this.notifierFailing = new boolean[notifiers.size()];
        for (AlertRule rule : b.rules) {
            rules.put(rule.name(), new Tracked(rule));
        }
        Duration every = b.interval;
        if (every != null) {
            ScheduledExecutorService on = b.scheduler;
            if (on == null) {
                on = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "opskit-alerts");
                    t.setDaemon(true);
                    return t;
                });
                ownScheduler = on;
            }
            long millis = every.toMillis();
            schedule = on.scheduleAtFixedRate(this::evaluateLogged, millis, millis, TimeUnit.MILLISECONDS);
            log.info("alert evaluator started: {} rules every {}", rules.size(), every);
        }
    }

    /** A builder with the system UTC clock and no notifier. */
    public static Builder builder() {
        return new Builder();
    }

    /** Reads every rule once and notifies the transitions, except those of silenced rules. */
    public synchronized void evaluate() {
        Instant now = clock.instant();
        for (Tracked t : rules.values()) {
            double value = read(t);
            Optional<String> silence = silenceOf(t.rule.name(), now);
            for (int i = 0; i < t.conditions.length; i++) {
                step(t, t.conditions[i], i == 0, value, silence, now);
            }
        }
    }

    /** Moves one level's alert of a rule. {@code first}: the rule's first level, which logs the silences. */
    private void step(Tracked t, Condition c, boolean first, double value, Optional<String> silence, Instant now) {
        boolean breached = t.rule.reaches(value, c.level);
        boolean muted = silence.isPresent();
        if (muted && c.silencedBy == null && first) {
            log.info("alert rule {}: notifications silenced by {}", t.rule.name(), silence.get());
        }
        String heldBackBy = c.silencedBy;
        switch (c.state) {
            case INACTIVE -> {
                if (breached) {
                    c.activeSince = now;
                    c.state = AlertState.PENDING;
                    if (!muted) {
                        send(t, c, PENDING, Severity.INFO, value, now, null);
                    }
                    if (t.rule.forDuration().isZero()) {
                        c.state = AlertState.FIRING;
                    }
                }
            }
            case PENDING -> {
                if (!breached) {
                    c.state = AlertState.INACTIVE;
                    c.activeSince = null;
                } else if (heldFor(c.activeSince, now).compareTo(t.rule.forDuration()) >= 0) {
                    c.state = AlertState.FIRING;
                }
            }
            case FIRING -> {
                if (!breached) {
                    c.state = AlertState.INACTIVE;
                    c.activeSince = null;
                }
            }
        }
        if (muted) {
            c.heldBack = (c.state == AlertState.FIRING) != c.heardFiring;
            if (c.heldBack) {
                log.debug("alert rule {} ({}): {} held back by {}", t.rule.name(), c.severityLabel(),
                        c.state == AlertState.FIRING ? FIRING : RESOLVED, silence.get());
            }
            c.silencedBy = silence.get();
            return;
        }
        if (heldBackBy != null) {
            if (first) {
                log.info("alert rule {}: silence by {} ended; rule is {}", t.rule.name(), heldBackBy,
                        t.state().name().toLowerCase(java.util.Locale.ROOT));
            }
            c.silencedBy = null;
            if (!c.heldBack) {
                heldBackBy = null;
            }
            c.heldBack = false;
        }
        // What receivers last heard, brought up to date: a transition now, or one held back.
        if (c.state == AlertState.FIRING && !c.heardFiring) {
            c.heardFiring = true;
            send(t, c, FIRING, AlertRule.severity(c.level), value, now, heldBackBy);
        } else if (c.state != AlertState.FIRING && c.heardFiring) {
            c.heardFiring = false;
            send(t, c, RESOLVED, Severity.INFO, value, now, heldBackBy);
        }
    }

    private Optional<String> silenceOf(String rule, Instant now) {
        for (int i = 0; i < silences.size(); i++) {
            try {
                Optional<String> reason = silences.get(i).silenced(rule, now);
                silenceFailing[i] = false;
                if (reason.isPresent()) {
                    return reason;
                }
            } catch (RuntimeException e) {
                if (!silenceFailing[i]) {
                    silenceFailing[i] = true;
                    log.warn("alert silence {} failed; treating it as not silencing until it answers again: {}",
                            silences.get(i).getClass().getName(), Redactor.redact(String.valueOf(e)));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * How long a condition has held. Compared as durations rather than {@code activeSince.plus(for)},
     * which overflows for a {@code for} near {@code Long.MAX_VALUE} seconds and used to throw inside
     * the loop, leaving every later rule unevaluated.
     */
    private static Duration heldFor(@Nullable Instant activeSince, Instant now) {
        return activeSince == null ? Duration.ZERO : Duration.between(activeSince, now);
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

    private void send(Tracked t, Condition c, String type, Severity severity, double value, Instant now,
                      @Nullable String heldBackBy) {
        AlertRule rule = t.rule;
        Map<String, String> labels = new LinkedHashMap<>(rule.labels());
        labels.put("alertname", rule.name());
        labels.put("severity", c.severityLabel());
        String summary = Redactor.redact(rule.summary() + " (value " + value + " " + rule.operator() + " "
                + rule.levelValue(c.level) + ")" + (heldBackBy == null ? "" : "; held back by " + heldBackBy));
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
     * The state of a rule: the furthest of its levels' alerts (firing when either level fires).
     *
     * @throws IllegalArgumentException when no rule has that name
     */
    public synchronized AlertState state(String rule) {
        return tracked(rule).state();
    }

    /**
     * The state of one level's alert of a rule.
     *
     * @throws IllegalArgumentException when no rule has that name, or the rule does not alert on that
     *                                  level ({@link AlertRule#levels()})
     */
    public synchronized AlertState state(String rule, Threshold.Level level) {
        Objects.requireNonNull(level, "level");
        for (Condition c : tracked(rule).conditions) {
            if (c.level == level) {
                return c.state;
            }
        }
        throw new IllegalArgumentException("alert rule '" + rule + "' does not alert on level " + level);
    }

    private Tracked tracked(String rule) {
        Tracked t = rules.get(rule);
        if (t == null) {
            throw new IllegalArgumentException("alert rule is not evaluated here: '" + rule + "'");
        }
        return t;
    }

    /**
     * What silenced a rule at the last evaluation.
     *
     * @return the silence's reason, or empty when the rule's notifications went out
     * @throws IllegalArgumentException when no rule has that name
     */
    public synchronized Optional<String> silencedBy(String rule) {
        return Optional.ofNullable(tracked(rule).conditions[0].silencedBy);
    }

    /** The rules, in the order given. */
    public List<AlertRule> rules() {
        List<AlertRule> list = new ArrayList<>();
        for (Tracked t : rules.values()) {
            list.add(t.rule);
        }
        return list;
    }

    private void evaluateLogged() {
        try {
            evaluate();
        } catch (RuntimeException e) {
            log.warn("alert evaluation failed: {}", Redactor.redact(String.valueOf(e)));
        }
    }

    /**
     * Stops the schedule, if any, and the thread the evaluator created for it (never a scheduler
     * the host passed). Idempotent.
     */
    @Override
    public synchronized void close() {
        if (schedule != null) {
            schedule.cancel(false);
            schedule = null;
            log.info("alert evaluator stopped");
        }
        if (ownScheduler != null) {
            ownScheduler.shutdownNow();
            ownScheduler = null;
        }
    }

    /** A rule: its source's health and one alert per level. */
    private static final class Tracked {
        final AlertRule rule;
        final Condition[] conditions;
        boolean sourceFailing;

        Tracked(AlertRule rule) {
            this.rule = rule;
            List<Threshold.Level> levels = rule.levels();
            this.conditions = new Condition[levels.size()];
            for (int i = 0; i < conditions.length; i++) {
                conditions[i] = new Condition(levels.get(i));
            }
        }

        /** The furthest state of the rule's levels. */
        AlertState state() {
            AlertState furthest = AlertState.INACTIVE;
            for (Condition c : conditions) {
                if (c.state.compareTo(furthest) > 0) {
                    furthest = c.state;
                }
            }
            return furthest;
        }
    }

    /** The alert of one level of a rule, as one Prometheus alerting rule. */
    private static final class Condition {
        final Threshold.Level level;
        AlertState state = AlertState.INACTIVE;
        @Nullable Instant activeSince;
        /** Whether receivers last heard this alert fire (and not resolve since). */
        boolean heardFiring;
        /** The reason of the silence at the last evaluation; null when not silenced. */
        @Nullable String silencedBy;
        /** Whether the silence holds back a change receivers have not heard. */
        boolean heldBack;

        Condition(Threshold.Level level) {
            this.level = level;
        }

        String severityLabel() {
            return AlertRule.severity(level).name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Configuration of an {@link AlertEvaluator}. Not thread-safe. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private final List<Notifier> notifiers = new ArrayList<>();
        private final List<AlertRule> rules = new ArrayList<>();
        private final List<AlertSilence> silences = new ArrayList<>();
        private @Nullable Duration interval;
        private @Nullable ScheduledExecutorService scheduler;

        private Builder() {
        }

        /**
         * Evaluates every {@code interval} in the background from {@link #build()} until
         * {@link AlertEvaluator#close()}, on the {@link #scheduler} or on a daemon thread of its
         * own. Without it the evaluator evaluates only when {@link AlertEvaluator#evaluate()} is
         * called (a host driving it from its own loop, or a test).
         *
         * @throws IllegalArgumentException when not positive or longer than one day
         * @throws IllegalStateException    when already set
         */
        public Builder evaluateEvery(Duration interval) {
            Checks.requireUnset(this.interval, "evaluateEvery");
            this.interval = Checks.requirePositive(interval, "evaluateEvery", Duration.ofDays(1));
            return this;
        }

        /**
         * What fires the background evaluations of {@link #evaluateEvery}; never shut down by the
         * evaluator. Default: a daemon thread the evaluator creates and stops on close.
         *
         * @throws IllegalStateException when already set
         */
        public Builder scheduler(ScheduledExecutorService value) {
            this.scheduler = Checks.setOnce(this.scheduler, value, "scheduler");
            return this;
        }

        /** The clock that times {@code for} durations. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Adds a silence: while it silences a rule, that rule's events are held back (see the class
         * description). Repeatable; a rule is silenced while any silence holds for it.
         *
         * @param silence the silence, such as an ops-jobs {@code MaintenanceWindow} or
         *                {@code OpsJobs.alertSilence()}
         * @return this builder
         */
        public Builder silence(AlertSilence silence) {
            silences.add(Objects.requireNonNull(silence, "silence"));
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

        /**
         * Builds the evaluator, already evaluating in the background when {@link #evaluateEvery}
         * was given; every rule starts inactive.
         *
         * @throws IllegalStateException when a scheduler was given without {@code evaluateEvery}
         */
        public AlertEvaluator build() {
            if (scheduler != null && interval == null) {
                throw new IllegalStateException("scheduler was set without evaluateEvery: nothing would run on it");
            }
            return new AlertEvaluator(this);
        }
    }
}
