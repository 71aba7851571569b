package io.opskit.metrics;

import io.opskit.api.internal.DurationText;
import io.opskit.metrics.internal.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A {@link DeployGate}'s answer: the verdict over every checked SLO (FAIL when one fails, else
 * INCONCLUSIVE when one cannot be judged, else PASS) and the figures behind it.
 *
 * @param verdict     the overall verdict
 * @param source      which source the figures came from ({@link GateSource#describe()})
 * @param window      the window the figures cover, ending at {@code evaluatedAt}
 * @param minEvents   the fewest requests an SLO needed to be judged
 * @param evaluatedAt when the gate was evaluated
 * @param checks      one per SLO, in the order the gate was given them
 */
public record GateReport(GateVerdict verdict, String source, Duration window, long minEvents, Instant evaluatedAt,
                         List<GateCheck> checks) {

    /** Validates and copies. @throws NullPointerException when a component is null */
    public GateReport {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(evaluatedAt, "evaluatedAt");
        checks = List.copyOf(checks);
    }

    /**
     * The report as one JSON object, for a progressive-delivery web check or a deploy script:
     * {@code {"verdict":"PASS","source":...,"window":"30m","min_events":100,"evaluated_at":...,
     * "checks":[...]}} (see {@link GateCheck#toJson()}).
     */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\"verdict\":").append(Json.quote(verdict.wireName()))
                .append(",\"source\":").append(Json.quote(source))
                .append(",\"window\":").append(Json.quote(DurationText.format(window)))
                .append(",\"min_events\":").append(minEvents)
                .append(",\"evaluated_at\":").append(Json.quote(evaluatedAt.toString()))
                .append(",\"checks\":[");
        for (int i = 0; i < checks.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(checks.get(i).toJson());
        }
        return sb.append("]}").toString();
    }

    /** One line: the verdict and each SLO's reason, {@code FAIL: api-availability: error ratio ...}. */
    public String summary() {
        StringBuilder sb = new StringBuilder(verdict.wireName());
        for (GateCheck c : checks) {
            sb.append(sb.length() == verdict.wireName().length() ? ": " : "; ").append(c.slo()).append(' ')
                    .append(c.verdict().wireName()).append(", ").append(c.reason());
        }
        return sb.toString();
    }
}
