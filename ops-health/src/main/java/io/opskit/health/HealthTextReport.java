package io.opskit.health;

import io.opskit.api.health.HealthStatus;
import java.util.Map;

/**
 * A report for a terminal, one line per check as an operations manual prints it:
 * <pre>
 * ✓ database: Connected (15.2 MB)
 * ✗ smtp: ConnectException: Connection refused
 * ! disk: 4.1 GB free (9 %)
 * Overall: DEGRADED
 * </pre>
 * {@code ✓} is UP, {@code !} DEGRADED, {@code ✗} anything else; timed-out and stale results say
 * so. Verbose output adds each check's details and duration on indented lines. Stateless.
 */
public final class HealthTextReport {

    private HealthTextReport() {
    }

    /**
     * Renders a report.
     *
     * @param report  the report
     * @param verbose whether to add details and durations under each check
     * @return the text, lines separated by {@code \n}, ending with a newline
     */
    public static String render(HealthReport report, boolean verbose) {
        StringBuilder out = new StringBuilder(64 * (report.checks().size() + 1));
        for (CheckResult check : report.checks()) {
            out.append(mark(check.status())).append(' ').append(check.name()).append(": ")
                    .append(check.message().orElse(check.status().name()));
            if (check.timedOut()) {
                out.append(" [timed out]");
            }
            if (check.stale()) {
                out.append(" [stale]");
            }
            if (check.status() != HealthStatus.UP && check.status() != HealthStatus.DOWN
                    && check.message().isPresent()) {
                out.append(" (").append(check.status()).append(')');
            }
            out.append('\n');
            if (verbose) {
                for (Map.Entry<String, Object> detail : check.details().entrySet()) {
                    out.append("    ").append(detail.getKey()).append(": ").append(detail.getValue()).append('\n');
                }
                out.append("    took ").append(check.durationMs()).append(" ms")
                        .append(check.critical() ? "" : ", non-critical").append('\n');
            }
        }
        out.append("Overall: ").append(report.status()).append('\n');
        return out.toString();
    }

    private static String mark(HealthStatus status) {
        switch (status) {
            case UP:
                return "✓";
            case DEGRADED:
                return "!";
            default:
                return "✗";
        }
    }
}
