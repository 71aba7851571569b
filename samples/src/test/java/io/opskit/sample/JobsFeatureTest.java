package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opskit.api.jobs.JobRun;
import io.opskit.api.jobs.RunOutcome;
import io.opskit.api.task.OpsTask;
import io.opskit.api.task.TaskOutcome;
import io.opskit.jobs.JobOptions;
import io.opskit.jobs.Schedule;
import io.opskit.testsupport.FakeClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /admin/jobs} of the real sample, after runs of a job on a fake clock. */
class JobsFeatureTest {

    private static final String TOKEN = "jobs-admin-token";
    private static final String PROBE = "sample-probe";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    /** The sample with one more job (due every 5 minutes; a run passes 1.5 s, the second fails). */
    private SampleApp start(FakeClock clock) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        OpsTask probe = OpsTask.of(PROBE, context -> {
            clock.advance(Duration.ofMillis(1500));
            return runs.incrementAndGet() == 1 ? TaskOutcome.done("probe ok") : TaskOutcome.failed("probe broke");
        });
        List<SampleFeature> features = new ArrayList<>(SampleApp.features());
        features.add(0, host -> host.scheduleJob(probe, Schedule.every(Duration.ofMinutes(5)), JobOptions.defaults()));
        return SampleApp.start(new SampleOptions(0, dataDir, TOKEN, false,
                Map.of("OPSKIT_ADMIN_TOKEN", TOKEN, "OPSKIT_JOBS_REPLICA", "replica-a")), features, clock);
    }

    private HttpResponse<String> get(SampleApp app, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/admin/jobs"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void getAdminJobs_afterRuns_listsScheduleNextRunAndRunsWithReplicaAndOutcome() throws Exception {
        FakeClock clock = FakeClock.at("2026-03-02T10:02:30Z");
        try (SampleApp app = start(clock)) {
            assertThat(get(app, null).statusCode()).isEqualTo(401);
            assertThat(get(app, "not-the-token").statusCode()).isEqualTo(401);

            // Each run goes through the sample's lease and history, as a scheduled run does, and
            // answers once it has been recorded.
            JobRun first = app.host().jobs().runNow(PROBE).get(30, TimeUnit.SECONDS);
            JobRun second = app.host().jobs().runNow(PROBE).get(30, TimeUnit.SECONDS);
            assertThat(first.outcome()).isEqualTo(RunOutcome.SUCCESS);
            assertThat(second.outcome()).isEqualTo(RunOutcome.FAILURE);

            HttpResponse<String> response = get(app, TOKEN);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            JsonNode body = new ObjectMapper().readTree(response.body());
            assertThat(body.get("replica").asText()).isEqualTo("replica-a");
            assertThat(body.get("lock").asText()).contains("SQLite");

            JsonNode jobs = body.get("jobs");
            List<String> names = new ArrayList<>();
            jobs.forEach(j -> names.add(j.get("name").asText()));
            assertThat(names).contains(PROBE, "backup:sample", "backup-drill:sample", "backup-prune:sample");
            jobs.forEach(j -> assertThat(j.get("schedule").asText()).as(j.toString()).isNotBlank());
            JsonNode backup = find(jobs, "backup:sample");
            assertThat(backup.get("schedule").asText()).isEqualTo("cron \"0 2 * * *\" in UTC");
            assertThat(backup.get("nextRun").asText()).isEqualTo("2026-03-03T02:00:00Z");

            JsonNode probe = find(jobs, PROBE);
            assertThat(probe.get("schedule").asText()).isEqualTo("every 5m");
            assertThat(probe.get("nextRun").asText()).isEqualTo("2026-03-02T10:05:00Z");
            assertThat(probe.get("runningHere").asBoolean()).isFalse();
            assertThat(probe.get("consecutiveFailures").asInt()).isEqualTo(1);
            assertThat(probe.get("lastSuccess").asText()).isEqualTo("2026-03-02T10:02:30Z");
            JsonNode runs = probe.get("lastRuns");
            assertThat(runs).hasSize(2);
            JsonNode newest = runs.get(0);
            assertThat(newest.get("runId").asText()).isEqualTo(second.runId());
            assertThat(newest.get("replica").asText()).isEqualTo("replica-a");
            assertThat(newest.get("outcome").asText()).isEqualTo("failure");
            assertThat(newest.get("summary").asText()).isEqualTo("probe broke");
            assertThat(newest.get("startedAt").asText()).isEqualTo("2026-03-02T10:02:31.500Z");
            assertThat(newest.get("endedAt").asText()).isEqualTo("2026-03-02T10:02:33Z");
            JsonNode older = runs.get(1);
            assertThat(older.get("runId").asText()).isEqualTo(first.runId());
            assertThat(older.get("replica").asText()).isEqualTo("replica-a");
            assertThat(older.get("outcome").asText()).isEqualTo("success");
            assertThat(older.get("summary").asText()).isEqualTo("probe ok");
            assertThat(older.get("dueAt").asText()).isEqualTo("2026-03-02T10:02:30Z");
            assertThat(older.get("startedAt").asText()).isEqualTo("2026-03-02T10:02:30Z");
            assertThat(older.get("endedAt").asText()).isEqualTo("2026-03-02T10:02:31.500Z");
        }
    }

    private static JsonNode find(JsonNode jobs, String name) {
        for (JsonNode j : jobs) {
            if (j.get("name").asText().equals(name)) {
                return j;
            }
        }
        throw new AssertionError("no job " + name + " in " + jobs);
    }
}
