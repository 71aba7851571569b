package io.opskit.db;

import java.util.Objects;
import javax.sql.DataSource;

/**
 * The front door of Opskit DB.
 *
 * <pre>{@code
 * TimedDataSource timed = OpsDb.timed(pool).meterRegistry(registry).build();
 * StorageGuard guard = OpsDb.storageGuard(pool).maximum(ByteSize.parse("10GB")).build();
 * guard.checkWrite();   // throws StorageFullException at the maximum
 * }</pre>
 */
public final class OpsDb {

    private OpsDb() {
    }

    /** Starts a {@link TimedDataSource} over {@code dataSource}: statement timing and the slow-statement log. */
    public static TimedDataSource.Builder timed(DataSource dataSource) {
        return TimedDataSource.builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /** Starts a {@link StorageGuard} over the database behind {@code dataSource}. */
    public static StorageGuard.Builder storageGuard(DataSource dataSource) {
        return StorageGuard.builder(Objects.requireNonNull(dataSource, "dataSource"));
    }
}
