package io.opskit.metrics;

import io.opskit.metrics.internal.Json;
import java.util.Objects;

/**
 * A point-in-time view of a connection pool, for a {@code /metrics/db-pool} endpoint.
 *
 * <p>Before the pool has started every count is 0 and {@code usageRatio} is 0. Immutable.
 *
 * @param pool       the pool's name
 * @param size       connections open (in use plus idle)
 * @param checkedOut connections lent to the application
 * @param idle       connections open and free
 * @param waiting    threads waiting for a connection
 * @param max        the pool's maximum size
 * @param usageRatio {@code checkedOut / max}, from 0 to 1
 * @param started    whether the pool has started
 */
public record PoolSnapshot(String pool, int size, int checkedOut, int idle, int waiting, int max,
                           double usageRatio, boolean started) {

    /** Validates. @throws NullPointerException when {@code pool} is null */
    public PoolSnapshot {
        Objects.requireNonNull(pool, "pool");
    }

    /**
     * One JSON object with snake_case keys: {@code pool, started, size, checked_out, idle, waiting,
     * max, usage_ratio}.
     */
    public String toJson() {
        return "{\"pool\":" + Json.quote(pool) + ",\"started\":" + started + ",\"size\":" + size
                + ",\"checked_out\":" + checkedOut + ",\"idle\":" + idle + ",\"waiting\":" + waiting
                + ",\"max\":" + max + ",\"usage_ratio\":" + Json.number(Math.round(usageRatio * 10_000) / 10_000.0)
                + "}";
    }
}
