package io.opskit.health.internal;

import io.opskit.api.Threshold;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.internal.ByteSize;
import java.util.Locale;

/** Shared helpers of the built-in checks: threshold levels to statuses, and readable sizes. */
public final class Levels {

    private Levels() {
    }

    /** OK is UP, WARNING is DEGRADED, CRITICAL is DOWN. */
    public static HealthStatus status(Threshold.Level level) {
        switch (level) {
            case OK:
                return HealthStatus.UP;
            case WARNING:
                return HealthStatus.DEGRADED;
            default:
                return HealthStatus.DOWN;
        }
    }

    /** Bytes in binary units with one decimal: {@code 15.2 MiB}, {@code 45.6 GiB} ({@link ByteSize#format}). */
    public static String bytes(long bytes) {
        return ByteSize.format(bytes);
    }

    /** A percentage with no decimals, as {@code 78 %}. */
    public static String percent(double percent) {
        return String.format(Locale.ROOT, "%.0f %%", percent);
    }

    /** Rounds to one decimal, for details. */
    public static double round1(double value) {
        return Math.round(value * 10.0) / 10.0;
    }
}
