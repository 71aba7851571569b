package io.opskit.db.tasks;

import java.time.Instant;
import java.util.Objects;

/**
 * What a retention run would remove, counted without changing anything.
 *
 * @param table        the table
 * @param cutoff       rows older than this match
 * @param matchingRows rows that match the rule now
 * @param totalRows    rows in the table now
 */
public record RetentionPlan(String table, Instant cutoff, long matchingRows, long totalRows) {

    /** Validates. */
    public RetentionPlan {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(cutoff, "cutoff");
    }

    /** The matching fraction of the table, from 0 to 1 (0 for an empty table). */
    public double fraction() {
        return totalRows == 0 ? 0 : (double) matchingRows / totalRows;
    }
}
