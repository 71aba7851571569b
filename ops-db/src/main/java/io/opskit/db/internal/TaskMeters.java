package io.opskit.db.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** The meters of one retention or maintenance task; a no-op without a registry. */
public final class TaskMeters {

    /** Rows a retention task removed (archived or deleted). */
    public static final String RETENTION_ROWS = "db.retention.rows";
    /** Duration of one retention batch. */
    public static final String RETENTION_BATCH = "db.retention.batch.duration";
    /** Duration of one maintenance step (one statement on one table or index). */
    public static final String MAINTENANCE_STEP = "db.maintenance.duration";

    private final @Nullable Counter rows;
    private final @Nullable Timer duration;

    private TaskMeters(@Nullable Counter rows, @Nullable Timer duration) {
        this.rows = rows;
        this.duration = duration;
    }

    /** Meters of a retention task on {@code table}; {@code registry} is a MeterRegistry or null. */
    public static TaskMeters retention(@Nullable Object registry, String task, String table, String destination) {
        if (registry == null) {
            return new TaskMeters(null, null);
        }
        MeterRegistry r = (MeterRegistry) registry;
        return new TaskMeters(
                Counter.builder(RETENTION_ROWS).description("Rows removed by retention tasks")
                        .tag("task", task).tag("db.collection.name", table).tag("destination", destination).register(r),
                Timer.builder(RETENTION_BATCH).description("Duration of one retention batch transaction")
                        .tag("task", task).tag("db.collection.name", table).register(r));
    }

    /** Meters of a maintenance task; {@code registry} is a MeterRegistry or null. */
    public static TaskMeters maintenance(@Nullable Object registry, String task) {
        if (registry == null) {
            return new TaskMeters(null, null);
        }
        MeterRegistry r = (MeterRegistry) registry;
        return new TaskMeters(null, Timer.builder(MAINTENANCE_STEP)
                .description("Duration of one maintenance statement").tag("task", task).register(r));
    }

    /** Counts removed rows. */
    public void rows(long n) {
        if (rows != null) {
            rows.increment(n);
        }
    }

    /** Records one step's duration. */
    public void time(long nanos) {
        if (duration != null) {
            duration.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
