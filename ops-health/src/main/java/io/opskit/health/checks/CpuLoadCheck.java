package io.opskit.health.checks;

import io.opskit.api.Threshold;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.health.internal.Levels;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * System CPU load in percent (from the JDK's operating-system bean; the 1-minute load average per
 * core when the JVM cannot report it), plus the process's own CPU load and the load average in the
 * details. The default threshold is the manuals' CPU alert: warning at 80 %, critical at 90 %.
 * Message: {@code 12 % average load}. {@code UNKNOWN} when the platform reports neither figure.
 *
 * <p>The JDK measures CPU load between two readings, and its first reading has nothing to compare
 * with (it reads 0 % however busy the machine is). The check therefore takes a priming reading
 * when it is created and, should its first real reading come less than 100 ms later, waits out
 * the rest of those 100 ms so the window means something. Thread-safe.
 */
public final class CpuLoadCheck implements HealthCheck {

    /** The shortest window a reading measures. */
    static final long MIN_WINDOW_NANOS = 100_000_000L;

    /** Where the figures come from; the JDK's operating-system bean outside tests. */
    interface Source {
        /** Whole-system CPU load since the previous call, 0..1, or negative when unavailable. */
        double cpuLoad();

        /** This process's CPU load, 0..1, or negative when unavailable. */
        double processCpuLoad();

        /** The 1-minute load average, or negative when unavailable. */
        double loadAverage();

        /** The number of processors. */
        int cores();
    }

    private final Threshold loadPercent;
    private final Source source;
    private final long primedAt;
    private volatile boolean firstReadingTaken;

    private CpuLoadCheck(Threshold loadPercent, Source source) {
        this.loadPercent = loadPercent;
        this.source = source;
        source.cpuLoad(); // the priming reading: the JDK's first one is meaningless
        this.primedAt = System.nanoTime();
    }

    /** A check with the threshold 80 % / 90 %. */
    public static CpuLoadCheck of() {
        return new CpuLoadCheck(Threshold.above(80, 90), JdkSource.INSTANCE);
    }

    static CpuLoadCheck of(Source source) {
        return new CpuLoadCheck(Threshold.above(80, 90), source);
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
        return new CpuLoadCheck(threshold, source);
    }

    /**
     * Reads the load. Fails only when interrupted.
     *
     * @throws InterruptedException when interrupted while the first reading waits for its window
     */
    @Override
    public HealthResult check() throws InterruptedException {
        if (!firstReadingTaken) {
            long wait = MIN_WINDOW_NANOS - (System.nanoTime() - primedAt);
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            firstReadingTaken = true;
        }
        int cores = source.cores();
        double loadAverage = source.loadAverage();
        double system = source.cpuLoad();
        double process = source.processCpuLoad();
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

    /** The JDK's operating-system bean. */
    private enum JdkSource implements Source {
        INSTANCE;

        private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

        @Override
        public double cpuLoad() {
            return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getCpuLoad() : -1;
        }

        @Override
        public double processCpuLoad() {
            return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuLoad() : -1;
        }

        @Override
        public double loadAverage() {
            return os.getSystemLoadAverage();
        }

        @Override
        public int cores() {
            return os.getAvailableProcessors();
        }
    }
}
