package io.opskit.db.diagnostics;

import io.opskit.db.internal.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of one diagnostics run: the database kind and server version, and its
 * {@link Section}s in a fixed order. Immutable; rendered as JSON ({@link #toJson()}) or as text
 * for a terminal ({@link #toText()}). Holds no statement literal, parameter value or credential:
 * statement texts are fingerprints.
 *
 * @param system      the database kind ({@code postgresql}, {@code sqlite}, {@code mariadb}, ...)
 * @param version     the server's version string
 * @param generatedAt when the run started
 * @param sections    the sections
 */
public record DiagnosticsReport(String system, String version, Instant generatedAt, List<Section> sections) {

    /** Copies. */
    public DiagnosticsReport {
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(generatedAt, "generatedAt");
        sections = List.copyOf(sections);
    }

    /** The section with {@code id}, if the report has one. */
    public Optional<Section> section(String id) {
        Objects.requireNonNull(id, "id");
        return sections.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** The report as a JSON object ({@code system}, {@code version}, {@code generated_at}, {@code sections}). */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("system", system);
        m.put("version", version);
        m.put("generated_at", generatedAt.toString());
        m.put("sections", sections.stream().map(Section::toMap).toList());
        return Json.write(m, true);
    }

    /** The report as text: one block per section with its method, time, rows and notes. */
    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append("Opskit database report: ").append(system).append(' ').append(version)
                .append(" at ").append(generatedAt).append('\n');
        for (Section s : sections) {
            out.append('\n').append("== ").append(s.title()).append(" [").append(s.status().wireName()).append("] ")
                    .append(s.measuredAt()).append(" (").append(s.took().toMillis()).append(" ms)\n");
            out.append("   method: ").append(s.method()).append('\n');
            for (Map<String, Object> row : s.rows()) {
                out.append("   - ");
                boolean first = true;
                for (Map.Entry<String, Object> e : row.entrySet()) {
                    if (!first) {
                        out.append(", ");
                    }
                    first = false;
                    out.append(e.getKey()).append('=').append(e.getValue());
                }
                out.append('\n');
            }
            if (s.rows().isEmpty() && s.status() == Section.Status.OK) {
                out.append("   (none)\n");
            }
            for (String note : s.notes()) {
                out.append("   note: ").append(note).append('\n');
            }
        }
        return out.toString();
    }
}
