package io.opskit.health.checks;

import io.opskit.api.Threshold;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.health.internal.Levels;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Objects;

/**
 * JVM heap usage: used / maximum (committed when no maximum is set). The default threshold is in
 * percent used: warning at 85 % (the SkillQuest heap alert), critical at 90 % (the FeedForward
 * memory alert). Message: {@code 2.3 GB used (29 %)}. Immutable and thread-safe.
 */
public final class HeapMemoryCheck implements HealthCheck {

    private final Threshold usedPercent;

    private HeapMemoryCheck(Threshold usedPercent) {
        this.usedPercent = usedPercent;
    }

    /** A check with the threshold 85 % / 90 % used. */
    public static HeapMemoryCheck of() {
        return new HeapMemoryCheck(Threshold.above(85, 90));
    }

    /**
     * A copy with another threshold on the used percentage (0 to 100).
     *
     * @throws IllegalArgumentException when the direction is not ABOVE
     */
    public HeapMemoryCheck withUsedPercentThreshold(Threshold threshold) {
        Objects.requireNonNull(threshold, "threshold");
        if (threshold.direction() != Threshold.Direction.ABOVE) {
            throw new IllegalArgumentException("threshold must have direction ABOVE: " + threshold.direction());
        }
        return new HeapMemoryCheck(threshold);
    }

    /** Reads the heap usage; never throws. */
    @Override
    public HealthResult check() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long used = heap.getUsed();
        long limit = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
        double percent = limit <= 0 ? 0 : 100.0 * used / limit;
        Threshold.Level level = usedPercent.evaluate(percent);
        return HealthResult.builder(Levels.status(level))
                .message(Levels.bytes(used) + " used (" + Levels.percent(percent) + ")")
                .detail("usedBytes", used).detail("maxBytes", limit).detail("usedPercent", Levels.round1(percent))
                .detail("level", level.name())
                .build();
    }
}
