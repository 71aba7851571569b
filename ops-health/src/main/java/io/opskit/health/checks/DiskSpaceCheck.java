package io.opskit.health.checks;

import io.opskit.api.Threshold;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.health.internal.Levels;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Free space on the file system that holds a path. The default threshold is on the free
 * percentage: warning below 15 % (the FeedForward manual warns at 85 % used), critical below 10 %
 * (the NudgeCampaign low-disk alert). Message as an operator reads it: {@code 45.6 GB free (78 %)}.
 * Immutable and thread-safe.
 */
public final class DiskSpaceCheck implements HealthCheck {

    private final Path path;
    private final Threshold freePercent;

    private DiskSpaceCheck(Path path, Threshold freePercent) {
        this.path = path;
        this.freePercent = freePercent;
    }

    /** A check of the file system holding {@code path}, threshold 15 % / 10 % free. */
    public static DiskSpaceCheck of(Path path) {
        return new DiskSpaceCheck(Objects.requireNonNull(path, "path"), Threshold.below(15, 10));
    }

    /**
     * A copy with another threshold on the free percentage (0 to 100).
     *
     * @throws IllegalArgumentException when the direction is not BELOW
     */
    public DiskSpaceCheck withFreePercentThreshold(Threshold threshold) {
        Objects.requireNonNull(threshold, "threshold");
        if (threshold.direction() != Threshold.Direction.BELOW) {
            throw new IllegalArgumentException("threshold must have direction BELOW: " + threshold.direction());
        }
        return new DiskSpaceCheck(path, threshold);
    }

    /**
     * Reads the file store's usable and total space.
     *
     * @throws IOException when the path does not exist or its store cannot be read (reported DOWN)
     */
    @Override
    public HealthResult check() throws IOException {
        FileStore store = Files.getFileStore(path);
        long free = store.getUsableSpace();
        long total = store.getTotalSpace();
        double percent = total <= 0 ? 0 : 100.0 * free / total;
        Threshold.Level level = freePercent.evaluate(percent);
        return HealthResult.builder(Levels.status(level))
                .message(Levels.bytes(free) + " free (" + Levels.percent(percent) + ")")
                .detail("freeBytes", free).detail("totalBytes", total).detail("freePercent", Levels.round1(percent))
                .detail("level", level.name())
                .build();
    }
}
