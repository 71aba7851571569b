package io.opskit.metrics;

import io.opskit.api.notify.Severity;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A threshold alert: a value source, a comparison with a threshold, a {@code for} duration the
 * condition must hold before the alert fires, and a severity. Evaluated in process by an
 * {@link AlertEvaluator}; exported as a Prometheus alerting rule by {@link MetricsExport} when it
 * carries a PromQL expression for the same value.
 *
 * <p>Immutable and thread-safe (the value source must be thread-safe too).
 */
public final class AlertRule {

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,62}");

    private final String name;
    private final DoubleSupplier source;
    private final Comparison comparison;
    private final double threshold;
    private final Duration forDuration;
    private final Severity severity;
    private final String summary;
    private final @Nullable String promql;
    private final Map<String, String> labels;

    private AlertRule(Builder b) {
        this.name = b.name;
        this.source = Objects.requireNonNull(b.source, "source");
        this.comparison = Objects.requireNonNull(b.comparison, "comparison");
        this.threshold = b.threshold;
        this.forDuration = b.forDuration;
        this.severity = b.severity;
        this.summary = b.summary != null ? b.summary : name + " " + comparison.operator() + " " + threshold;
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

    /** Whether {@code value} breaches the threshold. */
    public boolean breached(double value) {
        return comparison.test(value, threshold);
    }

    /** The comparison. */
    public Comparison comparison() {
        return comparison;
    }

    /** The threshold, in the source's unit. */
    public double threshold() {
        return threshold;
    }

    /** How long the condition must hold before firing; zero fires at once. */
    public Duration forDuration() {
        return forDuration;
    }

    /** How urgent a firing alert is. */
    public Severity severity() {
        return severity;
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
        private @Nullable Comparison comparison;
        private double threshold;
        private Duration forDuration = Duration.ZERO;
        private Severity severity = Severity.WARNING;
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
         * The condition: {@code value <comparison> threshold}.
         *
         * @throws IllegalArgumentException when the threshold is not finite
         */
        public Builder when(Comparison comparison, double threshold) {
            this.comparison = Objects.requireNonNull(comparison, "comparison");
            if (!Double.isFinite(threshold)) {
                throw new IllegalArgumentException("threshold must be a finite number: " + threshold);
            }
            this.threshold = threshold;
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

        /** The severity; default WARNING. */
        public Builder severity(Severity severity) {
            this.severity = Objects.requireNonNull(severity, "severity");
            return this;
        }

        /** One line for a human; default "name op threshold". */
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
            if (comparison == null) {
                throw new IllegalArgumentException("condition must be set with when(...): rule '" + name + "'");
            }
            return new AlertRule(this);
        }
    }
}
