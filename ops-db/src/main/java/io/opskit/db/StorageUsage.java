package io.opskit.db;

import java.time.Instant;
import java.util.Objects;

/**
 * One measurement of a database's used size.
 *
 * @param usedBytes    bytes in use (SQLite: {@code (page_count - freelist_count) * page_size};
 *                     PostgreSQL: {@code pg_database_size}; MariaDB/MySQL: data and index length of
 *                     the schema's tables in {@code information_schema})
 * @param level        the level against the guard's thresholds
 * @param maximumBytes the guard's maximum
 * @param measuredAt   when it was measured
 */
public record StorageUsage(long usedBytes, StorageLevel level, long maximumBytes, Instant measuredAt) {

    /** Validates. */
    public StorageUsage {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(measuredAt, "measuredAt");
    }

    /** The used fraction of the maximum, from 0 (may exceed 1). */
    public double fraction() {
        return maximumBytes == 0 ? 0 : (double) usedBytes / maximumBytes;
    }
}
