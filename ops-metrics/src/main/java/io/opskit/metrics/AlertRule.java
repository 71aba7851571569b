package io.opskit.metrics;

import io.opskit.api.Threshold;
import io.opskit.api.notify.Severity;
import java.time.Duration;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A threshold alert: a value source, an {@link io.opskit.api.Threshold} (warning and critical levels
 * with a direction, the type every Opskit module uses for "above X is bad"), and a {@code for}
 * duration a level must hold before its alert fires. Each level is its own alert, as two Prometheus
 * rules of one name with {@code severity="warning"} and {@code severity="critical"}: the value at or
 * past the warning level for {@code for} fires the warning, at or past the critical level for
 * {@code for} the critical one too (Alertmanager's inhibition usually mutes the warning then). When
 * both levels are equal there is only the critical alert. Evaluated in process by an
 * {@link AlertEvaluator}; exported as those rules by {@link MetricsExport} when it carries a PromQL
 * expression for the same value, with the same comparisons ({@code >=} for
 * {@link Threshold.Direction#ABOVE}, {@code <=} for {@link Threshold.Direction#BELOW}). A NaN value is
 * no data and reaches no level, as a PromQL comparison with NaN is false.
 *
 * <p>Immutable and thread-safe (the value source must be thread-safe too).
 */
public final class AlertRule {

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,62}");

    private final String name;
    private final DoubleSupplier source;
    private final Threshold threshold;
    private final Duration forDuration;
    private final String summary;
    private final @Nullable String promql;
    private final Map<String, String> labels;

    private AlertRule(Builder b) {
        this.name = b.name;
        this.source = Objects.requireNonNull(b.source, "source");
        this.threshold = Objects.requireNonNull(b.threshold, "threshold");
        this.forDuration = b.forDuration;
        this.summary = b.summary != null ? b.summary : name + " " + operator() + " " + threshold.warning()
                + (threshold.warning() == threshold.critical() ? "" : " (critical " + threshold.critical() + ")");
        this.promql = b.promql;
        this.labels = Map.copyOf(b.labels);
    }

    /**
     * A builder for a rule named {@code name} (letters, digits and {@code _}, starting with a letter,
     * as a Prometheus alert name).
     *
     * @throws IllegalArgumentException when the name is not valid
     */
    public static Builder builder(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "name must be letters, digits and '_', starting with a letter: '" + name + "'");
        }
        return new Builder(name);
    }

    /** The rule's name. */
    public String name() {
        return name;
    }

    /** Reads the current value. May throw; the evaluator treats that as no data. */
    public double read() {
        return source.getAsDouble();
    }

    /** The warning and critical levels and their direction, in the source's unit. */
    public Threshold threshold() {
        return threshold;
    }

    /**
     * The levels this rule alerts on, least severe first: {@code WARNING} and {@code CRITICAL}, or only
     * {@code CRITICAL} when both levels are equal.
     */
    public List<Threshold.Level> levels() {
        return threshold.warning() == threshold.critical() ? List.of(Threshold.Level.CRITICAL)
                : List.of(Threshold.Level.WARNING, Threshold.Level.CRITICAL);
    }

    /** The value at which {@code level} starts: the threshold's warning or critical level. */
    public double levelValue(Threshold.Level level) {
        return level == Threshold.Level.CRITICAL ? threshold.critical() : threshold.warning();
    }

    /**
     * Whether {@code value} is at or past {@code level} ({@code >=} above, {@code <=} below); false for
     * NaN and for {@link Threshold.Level#OK}.
     */
    public boolean reaches(double value, Threshold.Level level) {
        if (level == Threshold.Level.OK || Double.isNaN(value)) {
            return false;
        }
        double at = levelValue(level);
        return threshold.direction() == Threshold.Direction.ABOVE ? value >= at : value <= at;
    }

    /** The PromQL operator of the comparison: {@code >=} or {@code <=}. */
    public String operator() {
        return threshold.direction() == Threshold.Direction.ABOVE ? ">=" : "<=";
    }

    /** The notification severity of a level's alert: {@code WARNING} or {@code CRITICAL}. */
    public static Severity severity(Threshold.Level level) {
        return level == Threshold.Level.CRITICAL ? Severity.CRITICAL : Severity.WARNING;
    }

    /** How long the condition must hold before firing; zero fires at once. */
    public Duration forDuration() {
        return forDuration;
    }

    /** One line for a human. */
    public String summary() {
        return summary;
    }

    /** The PromQL expression of the same value, for export; empty when the rule is in-process only. */
    public Optional<String> promql() {
        return Optional.ofNullable(promql);
    }

    /** Extra labels sent with notifications and exported rules. */
    public Map<String, String> labels() {
        return labels;
    }

    /** Set-once configuration of an {@link AlertRule}; validated as set. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private @Nullable DoubleSupplier source;
        private @Nullable Threshold threshold;
        private Duration forDuration = Duration.ZERO;
        private @Nullable String summary;
        private @Nullable String promql;
        private final Map<String, String> labels = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = name;
        }

        /** Where the value comes from (a gauge, a tracker method); called once per evaluation. */
        public Builder source(DoubleSupplier source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * The levels: {@code Threshold.above(0.70, 0.85)} warns at 70 % and is critical at 85 %;
         * {@code Threshold.above(0.85, 0.85)} alerts once, critical, at 85 %.
         */
        public Builder when(Threshold threshold) {
            this.threshold = Objects.requireNonNull(threshold, "threshold");
            return this;
        }

        /**
         * How long the condition must hold before the alert fires. Default zero.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder forDuration(Duration duration) {
            Objects.requireNonNull(duration, "forDuration");
            if (duration.isNegative()) {
                throw new IllegalArgumentException("forDuration must not be negative: " + duration);
            }
            this.forDuration = duration;
            return this;
        }

        /** One line for a human; default "name >= warning (critical c)". */
        public Builder summary(String summary) {
            this.summary = Objects.requireNonNull(summary, "summary");
            return this;
        }

        /**
         * The PromQL expression of the same value, so the rule can be exported.
         *
         * @throws IllegalArgumentException when blank
         */
        public Builder promql(String expression) {
            Objects.requireNonNull(expression, "promql");
            if (expression.isBlank()) {
                throw new IllegalArgumentException("promql must not be blank: '" + expression + "'");
            }
            this.promql = expression;
            return this;
        }

        /**
         * Adds a label.
         *
         * @throws IllegalArgumentException when the key is not a valid label name
         */
        public Builder label(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (!key.matches("[a-z_][a-z0-9_]*") || key.equals("alertname") || key.equals("severity")) {
                throw new IllegalArgumentException("label key must be a lower-case label name other than "
                        + "alertname and severity: '" + key + "'");
            }
            labels.put(key, value);
            return this;
        }

        /**
         * Builds the rule.
         *
         * @throws IllegalArgumentException when the source or the condition is missing
         */
        public AlertRule build() {
            if (source == null) {
                throw new IllegalArgumentException("source must be set: rule '" + name + "'");
            }
            if (threshold == null) {
                throw new IllegalArgumentException("condition must be set with when(...): rule '" + name + "'");
            }
            return new AlertRule(this);
        }
    }
}
