package io.opskit.health;

import io.opskit.health.internal.JsonRendering;

/**
 * The JSON shapes a {@link HealthReport} can be rendered in. Both are {@code application/json}.
 * Rendering is thread-safe and never blocks.
 */
public enum HealthFormat {

    /**
     * Opskit's own shape: {@code {"status":"UP","group":"readiness","checkedAt":...,"durationMs":12,
     * "checks":{"database":{"status":"UP","message":...,"critical":true,"timedOut":false,
     * "stale":false,"durationMs":3,"checkedAt":...,"details":{...}}}}}. Without details only
     * {@code {"status":"UP"}}.
     */
    OPSKIT,

    /**
     * The MicroProfile Health shape: {@code {"status":"UP","checks":[{"name":...,"status":"UP",
     * "data":{...}}]}}. MicroProfile knows only UP and DOWN: the aggregate is UP when its HTTP status
     * is 2xx, a check is UP when it is UP or DEGRADED; {@code data.status} keeps Opskit's status.
     * Without details {@code checks} is an empty array.
     */
    MICROPROFILE;

    /** The content type of the rendered body. */
    public String contentType() {
        return "application/json";
    }

    /**
     * Renders a report as UTF-8 JSON.
     *
     * @param report  the report
     * @param details whether per-check results are included (otherwise only the aggregate status)
     * @return the JSON bytes
     */
    public byte[] render(HealthReport report, boolean details) {
        return this == OPSKIT ? JsonRendering.opskit(report, details) : JsonRendering.microProfile(report, details);
    }
}
