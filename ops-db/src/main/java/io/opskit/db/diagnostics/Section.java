package io.opskit.db.diagnostics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One section of a {@link DiagnosticsReport}: what was measured ({@link #method()}), when and how
 * long it took, the rows found (small JSON-friendly values) and notes for a human (a missing
 * extension, a statistics age too young for a verdict).
 *
 * @param id         a stable snake_case name ({@code largest_tables}, {@code top_statements}, ...)
 * @param title      a short human title
 * @param method     how it was measured (the view or estimate used)
 * @param measuredAt when the query ran
 * @param took       how long it took
 * @param status     whether it could be measured
 * @param rows       the findings; each map keeps column order
 * @param notes      lines for a human
 */
public record Section(String id, String title, String method, Instant measuredAt, Duration took, Status status,
                      List<Map<String, Object>> rows, List<String> notes) {

    /** Whether a section could be measured. */
    public enum Status {
        /** Measured. */
        OK("ok"),
        /** Not available on this server (an extension or compile option missing); the notes say why. */
        UNAVAILABLE("unavailable"),
        /** The query failed or timed out; the notes say why. */
        FAILED("failed");

        private final String wireName;

        Status(String wireName) {
            this.wireName = wireName;
        }

        /** The stable lowercase name. */
        public String wireName() {
            return wireName;
        }
    }

    /** Copies. */
    public Section {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(measuredAt, "measuredAt");
        Objects.requireNonNull(took, "took");
        Objects.requireNonNull(status, "status");
        List<Map<String, Object>> copy = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            copy.add(Collections.unmodifiableMap(new LinkedHashMap<>(row)));
        }
        rows = List.copyOf(copy);
        notes = List.copyOf(notes);
    }

    /** This section as JSON-friendly maps and lists. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("title", title);
        m.put("status", status.wireName());
        m.put("method", method);
        m.put("measured_at", measuredAt.toString());
        m.put("took_ms", took.toMillis());
        m.put("rows", rows);
        m.put("notes", notes);
        return m;
    }
}
