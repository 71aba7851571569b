package io.opskit.db;

import java.time.Duration;
import java.util.Objects;

/**
 * In-process figures of one statement fingerprint, kept by a {@link TimedDataSource} with or
 * without a meter registry.
 *
 * @param fingerprint the statement with literals removed, or {@code OTHER} beyond the cap
 * @param operation   the OpenTelemetry {@code db.operation.name} ({@code SELECT}, ...)
 * @param count       statements recorded
 * @param errors      statements that threw
 * @param total       their total time
 * @param max         the longest one
 */
public record StatementStats(String fingerprint, String operation, long count, long errors, Duration total,
                             Duration max) {

    /** Validates. */
    public StatementStats {
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(total, "total");
        Objects.requireNonNull(max, "max");
    }

    /** The mean time, or zero when nothing was recorded. */
    public Duration mean() {
        return count == 0 ? Duration.ZERO : total.dividedBy(count);
    }
}
