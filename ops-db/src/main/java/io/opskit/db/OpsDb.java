package io.opskit.db;

import io.opskit.db.diagnostics.Diagnostics;
import io.opskit.db.diagnostics.DiagnosticsReport;
import io.opskit.db.tasks.MaintenanceKind;
import io.opskit.db.tasks.MaintenanceTask;
import io.opskit.db.tasks.RetentionRule;
import io.opskit.db.tasks.RetentionTask;
import java.sql.SQLException;
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

    /**
     * Diagnoses the database behind {@code dataSource} with the default settings (5 s statement
     * timeout, 10 rows per section, unused-index verdicts on statistics older than 7 days).
     *
     * @throws SQLException when no connection can be had
     */
    public static DiagnosticsReport diagnose(DataSource dataSource) throws SQLException {
        return Diagnostics.builder(Objects.requireNonNull(dataSource, "dataSource")).build().run();
    }

    /** Starts configurable {@link Diagnostics} over {@code dataSource}. */
    public static Diagnostics.Builder diagnostics(DataSource dataSource) {
        return Diagnostics.builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /** Starts a {@link RetentionTask} that applies {@code rule} to the database behind {@code dataSource}. */
    public static RetentionTask.Builder retention(DataSource dataSource, RetentionRule rule) {
        return RetentionTask.builder(Objects.requireNonNull(dataSource, "dataSource"), rule);
    }

    /** Starts a {@link MaintenanceTask} of {@code kind} on the database behind {@code dataSource}. */
    public static MaintenanceTask.Builder maintenance(DataSource dataSource, MaintenanceKind kind) {
        return MaintenanceTask.builder(Objects.requireNonNull(dataSource, "dataSource"), kind);
    }

    /** Starts a {@link StorageGuard} over the database behind {@code dataSource}. */
    public static StorageGuard.Builder storageGuard(DataSource dataSource) {
        return StorageGuard.builder(Objects.requireNonNull(dataSource, "dataSource"));
    }
}
