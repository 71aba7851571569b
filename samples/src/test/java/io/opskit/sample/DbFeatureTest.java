package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opskit.api.jobs.JobRun;
import io.opskit.api.jobs.RunOutcome;
import io.opskit.api.notify.OpsEvent;
import io.opskit.testsupport.FakeClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Feedback stored through the timed data source and refused by the storage guard at the maximum. */
class DbFeatureTest {

    private static final String TOKEN = "db-admin-token";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private SampleApp start(Map<String, String> extraEnv) throws Exception {
        return start(extraEnv, Clock.systemUTC());
    }

    private SampleApp start(Map<String, String> extraEnv, Clock clock) throws Exception {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("OPSKIT_ADMIN_TOKEN", TOKEN);
        return SampleApp.start(new SampleOptions(0, dataDir, TOKEN, false, env), SampleApp.features(), clock);
    }

    private List<String> storedFeedback() throws Exception {
        List<String> bodies = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("app.db"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT body FROM feedback ORDER BY id")) {
            while (rs.next()) {
                bodies.add(HttpResponses.json().readTree(rs.getString(1)).path("text").asText());
            }
        }
        return bodies;
    }

    private static JobRun runNow(SampleApp app, String job) throws Exception {
        return app.host().jobs().runNow(job).get(60, TimeUnit.SECONDS);
    }

    private HttpResponse<String> get(SampleApp app, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(SampleApp app, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/feedback"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void feedback_isStoredThroughTheTimedDataSource() throws Exception {
        try (SampleApp app = start(Map.of())) {
            assertThat(post(app, "{\"text\": \"Search is great.\"}").statusCode()).isEqualTo(200);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("app.db"));
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT body FROM feedback")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).contains("Search is great.");
            }
            String metrics = get(app, "/metrics").body();
            assertThat(metrics).contains("db_client_operation_duration_seconds_bucket")
                    .contains("db_query_fingerprint=\"insert into feedback(created_at, body) values (?)\"")
                    .doesNotContain("Search is great");
            HttpResponse<String> report = get(app, "/admin/db/report");
            assertThat(report.statusCode()).isEqualTo(200);
            JsonNode json = HttpResponses.json().readTree(report.body());
            assertThat(json.path("system").asText()).isEqualTo("sqlite");
        }
    }

    @Test
    void storageMax_reached_feedbackGets507NamingTheLimitWhileLivenessAndMetricsAnswer() throws Exception {
        try (SampleApp app = start(Map.of("OPSKIT_STORAGE_MAX", "1KB"))) {
            HttpResponse<String> refused = post(app, "{\"text\": \"one more\"}");
            assertThat(refused.statusCode()).isEqualTo(507);
            JsonNode body = HttpResponses.json().readTree(refused.body());
            assertThat(body.path("limit").asText()).isEqualTo("storage.max");
            assertThat(body.path("limit_bytes").asLong()).isEqualTo(1000);
            assertThat(body.path("error").asText()).contains("storage full");
            assertThat(get(app, "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(app, "/metrics").statusCode()).isEqualTo(200);
            assertThat(get(app, "/").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void dbJobs_areScheduledWithTheirDefaultsAndSettings_andMaintenanceRuns() throws Exception {
        try (SampleApp app = start(Map.of("OPSKIT_FEEDBACK_RETENTION_SCHEDULE", "15 4 * * *"))) {
            JsonNode jobs = HttpResponses.json().readTree(get(app, "/admin/jobs").body()).path("jobs");
            Map<String, String> schedules = new HashMap<>();
            jobs.forEach(j -> schedules.put(j.path("name").asText(), j.path("schedule").asText()));
            assertThat(schedules.get("maintenance:app-db")).isEqualTo("cron \"0 3 * * SUN\" in UTC");
            assertThat(schedules.get("maintenance:sqlite.integrity_check")).isEqualTo("cron \"30 3 * * SUN\" in UTC");
            assertThat(schedules.get("retention:feedback")).isEqualTo("cron \"15 4 * * *\" in UTC");

            JobRun maintenance = runNow(app, "maintenance:app-db");
            assertThat(maintenance.outcome()).as(maintenance.summary()).isEqualTo(RunOutcome.SUCCESS);
            assertThat(maintenance.summary()).contains("sqlite.optimize: 1 of 1 statement(s)")
                    .contains("sqlite.analyze: 1 of 1 statement(s)");
            JobRun integrity = runNow(app, "maintenance:sqlite.integrity_check");
            assertThat(integrity.outcome()).as(integrity.summary()).isEqualTo(RunOutcome.SUCCESS);
        }
    }

    @Test
    void feedbackRetention_run_deletesFeedbackOlderThanTheSettingAndKeepsNewer() throws Exception {
        FakeClock clock = FakeClock.at("2026-01-10T12:00:00Z");
        try (SampleApp app = start(Map.of("OPSKIT_FEEDBACK_RETENTION", "90d"), clock)) {
            List<OpsEvent> events = new CopyOnWriteArrayList<>();
            app.host().notifier(events::add);
            assertThat(post(app, "{\"text\": \"old one\"}").statusCode()).isEqualTo(200);
            clock.advance(Duration.ofDays(10));
            assertThat(post(app, "{\"text\": \"eighty days\"}").statusCode()).isEqualTo(200);
            clock.advance(Duration.ofDays(80));
            assertThat(post(app, "{\"text\": \"today\"}").statusCode()).isEqualTo(200);
            clock.advance(Duration.ofMinutes(1)); // the first is now 90 days and a minute old

            JobRun run = runNow(app, "retention:feedback");

            assertThat(run.outcome()).as(run.summary()).isEqualTo(RunOutcome.SUCCESS);
            assertThat(run.summary()).startsWith("delete 1 rows of feedback");
            assertThat(storedFeedback()).containsExactly("eighty days", "today");
            assertThat(events).filteredOn(e -> e.type().equals("db.retention.completed")).singleElement()
                    .satisfies(e -> assertThat(e.labels()).containsEntry("table", "feedback").containsEntry("rows", "1"));
        }
    }
}
