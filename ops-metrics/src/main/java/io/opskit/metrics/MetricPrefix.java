package io.opskit.metrics;

import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The optional common prefix of Opskit's own meters ({@code chatbot} makes {@code db.pool.usage.ratio}
 * {@code chatbot.db.pool.usage.ratio}, Prometheus {@code chatbot_db_pool_usage_ratio}). It applies to
 * the meters Opskit names itself ({@code db.pool.*}, {@code slo.*}, {@code security.*}), not to
 * {@code http.server.requests}, whose name is the Micrometer and OpenTelemetry HTTP convention that
 * dashboards and the generated rules share.
 */
final class MetricPrefix {

    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,31}");
    /** Prometheus names of Opskit meters that take the prefix, as the generated rules read them. */
    private static final Pattern PREFIXED_SERIES =
            Pattern.compile("(?<![A-Za-z0-9_:])((?:db_pool|security)_[a-z_]+)(?![A-Za-z0-9_:])");

    private MetricPrefix() {
    }

    /**
     * Validates a prefix for a set-once builder property.
     *
     * @throws IllegalArgumentException when not 1 to 32 lower-case letters, digits and {@code _}
     *                                  starting with a letter
     * @throws IllegalStateException    when {@code current} is already set
     */
    static String check(String prefix, @Nullable String current) {
        Objects.requireNonNull(prefix, "metricPrefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("metricPrefix must be 1 to 32 lower-case letters, digits and '_', "
                    + "starting with a letter: '" + prefix + "'");
        }
        if (current != null) {
            throw new IllegalStateException("metricPrefix was already set");
        }
        return prefix;
    }

    /** The meter name {@code name} gets under {@code prefix} (none when null). */
    static String meter(@Nullable String prefix, String name) {
        return prefix == null ? name : prefix + "." + name;
    }

    /** {@code expr} with every Opskit series that takes the prefix prefixed ({@code chatbot_db_pool_usage_ratio}). */
    static String series(@Nullable String prefix, String expr) {
        return prefix == null ? expr : PREFIXED_SERIES.matcher(expr).replaceAll(prefix + "_$1");
    }
}
