package io.opskit.notify;

import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.time.Instant;
import java.util.Map;

/** Events for tests, and the canary secrets that must never leave the process. */
final class TestEvents {

    static final String CANARY_PASSWORD = "Canary-Pw-7f3a9c";
    static final String CANARY_TOKEN = "sk-live-canary0123456789abcdef";
    static final Instant AT = Instant.parse("2026-12-01T02:00:00Z");

    private TestEvents() {
    }

    static OpsEvent event(String source, String type, Severity severity, String summary) {
        return new OpsEvent(source, type, severity, summary, Map.of("repository", "app"), AT);
    }

    static OpsEvent event(String source, int n) {
        return event(source, "backup.failed", Severity.CRITICAL, "failure " + n);
    }

    /** An event carrying both canaries in its summary and labels. */
    static OpsEvent canary() {
        return new OpsEvent("backup:app/db", "backup.failed", Severity.CRITICAL,
                "backup failed: could not connect to postgres://app:" + CANARY_PASSWORD + "@db/app with key "
                        + CANARY_TOKEN,
                Map.of("dsn", "postgres://app:" + CANARY_PASSWORD + "@db/app", "password", CANARY_PASSWORD,
                        "api", "token=" + CANARY_TOKEN),
                AT);
    }
}
