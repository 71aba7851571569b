package io.opskit.health.internal;

import io.opskit.api.health.HealthStatus;
import io.opskit.health.CheckResult;
import io.opskit.health.HealthReport;
import java.time.Instant;
import java.util.Map;

/**
 * Writes reports as JSON with {@link JsonWriter}: Opskit's own shape and the MicroProfile Health
 * shape. Detail values of any type render (see {@link JsonWriter}); rendering throws only when
 * memory runs out. Thread-safe.
 */
public final class JsonRendering {

    private JsonRendering() {
    }

    /**
     * Opskit's shape: {@code {"status", "group", "checkedAt", "durationMs", "checks": {name: {...}}}};
     * just {@code {"status"}} without details.
     */
    public static byte[] opskit(HealthReport report, boolean details) {
        JsonWriter g = new JsonWriter(details ? 256 + 192 * report.checks().size() : 24);
        g.beginObject();
        g.name("status").value(report.status().name());
        if (details) {
            report.group().ifPresent(group -> g.name("group").value(group));
            g.name("checkedAt").value(instant(report.checkedAt()));
            g.name("durationMs").value(report.durationMs());
            g.name("checks").beginObject();
            for (CheckResult check : report.checks()) {
                g.name(check.name()).beginObject();
                g.name("status").value(check.status().name());
                check.message().ifPresent(message -> g.name("message").value(message));
                g.name("critical").value(check.critical());
                g.name("timedOut").value(check.timedOut());
                g.name("stale").value(check.stale());
                g.name("durationMs").value(check.durationMs());
                g.name("checkedAt").value(instant(check.checkedAt()));
                if (!check.details().isEmpty()) {
                    g.name("details").any(check.details());
                }
                g.endObject();
            }
            g.endObject();
        }
        g.endObject();
        return g.toBytes();
    }

    /**
     * The MicroProfile Health shape: {@code {"status", "checks": [{"name", "status", "data"}]}} with
     * statuses UP or DOWN only (an aggregate is UP when its HTTP status is below 300; a check is UP
     * when it is UP or DEGRADED). Without details {@code checks} is empty.
     */
    public static byte[] microProfile(HealthReport report, boolean details) {
        JsonWriter g = new JsonWriter(details ? 256 + 160 * report.checks().size() : 32);
        g.beginObject();
        g.name("status").value(report.httpStatus() < 300 ? "UP" : "DOWN");
        g.name("checks").beginArray();
        if (details) {
            for (CheckResult check : report.checks()) {
                g.beginObject();
                g.name("name").value(check.name());
                boolean up = check.status() == HealthStatus.UP || check.status() == HealthStatus.DEGRADED;
                g.name("status").value(up ? "UP" : "DOWN");
                g.name("data").beginObject();
                g.name("status").value(check.status().name());
                check.message().ifPresent(message -> g.name("message").value(message));
                for (Map.Entry<String, Object> e : check.details().entrySet()) {
                    g.name(e.getKey()).any(e.getValue());
                }
                g.endObject();
                g.endObject();
            }
        }
        g.endArray();
        g.endObject();
        return g.toBytes();
    }

    /** {@code {"error": message}} (and {@code status} when given), for error responses. */
    public static byte[] error(String message) {
        return new JsonWriter(32 + message.length()).beginObject().name("error").value(message).endObject().toBytes();
    }

    private static String instant(Instant instant) {
        char[] scratch = new char[IsoInstant.MAX_LENGTH];
        int length = IsoInstant.write(instant, scratch);
        return length < 0 ? instant.toString() : new String(scratch, 0, length);
    }
}
