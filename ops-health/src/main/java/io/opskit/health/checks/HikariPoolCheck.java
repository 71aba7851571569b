package io.opskit.health.checks;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.opskit.api.Threshold;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.health.internal.Levels;
import java.util.Objects;

/**
 * HikariCP pool pressure, read from the running pool: active, idle, pending (threads waiting for
 * a connection) and total connections, and the usage ratio active / maximum pool size. The
 * default threshold is the manuals' pool alert: warning at 0.70, critical at 0.85. A pool that has
 * not started (or is closed) is {@code UNKNOWN}. HikariCP is an optional dependency; only this
 * class needs it. Immutable and thread-safe.
 */
public final class HikariPoolCheck implements HealthCheck {

    private final HikariDataSource pool;
    private final Threshold usage;

    private HikariPoolCheck(HikariDataSource pool, Threshold usage) {
        this.pool = pool;
        this.usage = usage;
    }

    /** A check of {@code pool} with the usage threshold 0.70 / 0.85. */
    public static HikariPoolCheck of(HikariDataSource pool) {
        return new HikariPoolCheck(Objects.requireNonNull(pool, "pool"), Threshold.above(0.70, 0.85));
    }

    /**
     * A copy with another usage threshold (ratios from 0 to 1).
     *
     * @throws IllegalArgumentException when the direction is not ABOVE
     */
    public HikariPoolCheck withUsageThreshold(Threshold threshold) {
        Objects.requireNonNull(threshold, "threshold");
        if (threshold.direction() != Threshold.Direction.ABOVE) {
            throw new IllegalArgumentException("threshold must have direction ABOVE: " + threshold.direction());
        }
        return new HikariPoolCheck(pool, threshold);
    }

    /** Reads the pool's counters; never throws. */
    @Override
    public HealthResult check() {
        HikariPoolMXBean bean = pool.isClosed() ? null : pool.getHikariPoolMXBean();
        if (bean == null) {
            return HealthResult.builder(HealthStatus.UNKNOWN)
                    .message(pool.isClosed() ? "pool is closed" : "pool has not started").build();
        }
        int active = bean.getActiveConnections();
        int idle = bean.getIdleConnections();
        int pending = bean.getThreadsAwaitingConnection();
        int total = bean.getTotalConnections();
        int max = Math.max(1, pool.getMaximumPoolSize());
        double ratio = (double) active / max;
        Threshold.Level level = usage.evaluate(ratio);
        return HealthResult.builder(Levels.status(level))
                .message(active + "/" + max + " connections in use (" + Levels.percent(ratio * 100) + "), "
                        + pending + " waiting")
                .detail("active", active).detail("idle", idle).detail("pending", pending).detail("total", total)
                .detail("max", max).detail("usage", Math.round(ratio * 1000) / 1000.0).detail("level", level.name())
                .build();
    }
}
