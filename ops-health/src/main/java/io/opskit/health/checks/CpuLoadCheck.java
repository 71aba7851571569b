package io.opskit.health.checks;

import io.opskit.api.Threshold;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.health.internal.Levels;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Objects;

/**
 * System CPU load in percent (from the JDK's operating-system bean; the 1-minute load average per
 * core when the JVM cannot report it), plus the process's own CPU load and the load average in the
 * details. The default threshold is the manuals' CPU alert: warning at 80 %, critical at 90 %.
 * Message: {@code 12 % average load}. {@code UNKNOWN} when the platform reports neither figure.
 * Immutable and thread-safe.
 */
public final class CpuLoadCheck implements HealthCheck {

    private final Threshold loadPercent;

    private CpuLoadCheck(Threshold loadPercent) {
        this.loadPercent = loadPercent;
    }

    /** A check with the threshold 80 % / 90 %. */
    public static CpuLoadCheck of() {
        return new CpuLoadCheck(Threshold.above(80, 90));
    }

    /**
     * A copy with another threshold on the load percentage (0 to 100).
     *
     * @throws IllegalArgumentException when the direction is not ABOVE
     */
    public CpuLoadCheck withLoadPercentThreshold(Threshold threshold) {
        Objects.requireNonNull(threshold, "threshold");
        if (threshold.direction() != Threshold.Direction.ABOVE) {
            throw new IllegalArgumentException("threshold must have direction ABOVE: " + threshold.direction());
        }
        return new CpuLoadCheck(threshold);
    }

    /** Reads the load; never throws. */
    @Override
    public HealthResult check() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        int cores = os.getAvailableProcessors();
        double loadAverage = os.getSystemLoadAverage();
        double system = -1;
        double process = -1;
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            system = sun.getCpuLoad();
            process = sun.getProcessCpuLoad();
        }
        double percent;
        if (system >= 0) {
            percent = system * 100;
        } else if (loadAverage >= 0) {
            percent = Math.min(100, loadAverage / Math.max(1, cores) * 100);
        } else {
            return HealthResult.builder(HealthStatus.UNKNOWN).message("CPU load is not available on this platform")
                    .detail("cores", cores).build();
        }
        Threshold.Level level = loadPercent.evaluate(percent);
        HealthResult.Builder result = HealthResult.builder(Levels.status(level))
                .message(Levels.percent(percent) + " average load")
                .detail("loadPercent", Levels.round1(percent)).detail("cores", cores).detail("level", level.name());
        if (process >= 0) {
            result.detail("processLoadPercent", Levels.round1(process * 100));
        }
        if (loadAverage >= 0) {
            result.detail("loadAverage1m", Levels.round1(loadAverage));
        }
        return result.build();
    }
}
