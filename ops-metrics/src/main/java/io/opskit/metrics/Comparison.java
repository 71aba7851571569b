package io.opskit.metrics;

/** How an {@link AlertRule} compares its value with its threshold. NaN never satisfies any. */
public enum Comparison {
    /** value &gt; threshold. */
    ABOVE(">"),
    /** value &gt;= threshold. */
    AT_OR_ABOVE(">="),
    /** value &lt; threshold. */
    BELOW("<"),
    /** value &lt;= threshold. */
    AT_OR_BELOW("<=");

    private final String operator;

    Comparison(String operator) {
        this.operator = operator;
    }

    /** Whether {@code value} satisfies the comparison with {@code threshold}; false for NaN. */
    public boolean test(double value, double threshold) {
        return switch (this) {
            case ABOVE -> value > threshold;
            case AT_OR_ABOVE -> value >= threshold;
            case BELOW -> value < threshold;
            case AT_OR_BELOW -> value <= threshold;
        };
    }

    /** The PromQL operator. */
    public String operator() {
        return operator;
    }
}
