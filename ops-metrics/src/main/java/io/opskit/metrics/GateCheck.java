package io.opskit.metrics;

import io.opskit.metrics.internal.Json;
import java.util.Objects;

/**
 * What a {@link DeployGate} found for one SLO over its window. Figures the source could not give
 * are NaN (JSON {@code null}).
 *
 * @param slo           the SLO's name
 * @param verdict       PASS within the threshold, FAIL above it, INCONCLUSIVE with too few requests or
 *                      no figures
 * @param events        the requests the SLO counted over the window
 * @param badEvents     the bad ones among them
 * @param errorRatio    {@code badEvents / events}
 * @param maxErrorRatio the highest error ratio that passes: {@code maxBurnRate} times the error budget
 * @param burnRate      {@code errorRatio} over the error budget
 * @param maxBurnRate   the highest burn rate that passes
 * @param reason        one line for a person
 */
public record GateCheck(String slo, GateVerdict verdict, double events, double badEvents, double errorRatio,
                        double maxErrorRatio, double burnRate, double maxBurnRate, String reason) {

    /** Validates. @throws NullPointerException when a text or the verdict is null */
    public GateCheck {
        Objects.requireNonNull(slo, "slo");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * One JSON object with snake_case keys: {@code slo, verdict, events, bad_events, error_ratio,
     * max_error_ratio, burn_rate, max_burn_rate, reason}.
     */
    public String toJson() {
        return "{\"slo\":" + Json.quote(slo) + ",\"verdict\":" + Json.quote(verdict.wireName())
                + ",\"events\":" + Json.number(round(events, 3)) + ",\"bad_events\":" + Json.number(round(badEvents, 3))
                + ",\"error_ratio\":" + Json.number(significant(errorRatio)) + ",\"max_error_ratio\":"
                + Json.number(significant(maxErrorRatio)) + ",\"burn_rate\":" + Json.number(significant(burnRate))
                + ",\"max_burn_rate\":" + Json.number(significant(maxBurnRate)) + ",\"reason\":" + Json.quote(reason) + "}";
    }

    private static double round(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return v;
        }
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }

    /** Six significant digits: enough to compare, short enough to read. */
    private static double significant(double v) {
        if (!Double.isFinite(v) || v == 0) {
            return v;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).doubleValue();
    }
}
