package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opskit.api.notify.Severity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsExportTest {

    @TempDir
    Path dir;

    private MetricsExport export() {
        SloTracker slos = SloTracker.builder()
                .slo(Slo.availability("api-availability", 0.999))
                .slo(Slo.latency("api-latency", 0.95, Duration.ofMillis(200)).withRoutes(Set.of("/api/items/{id}")))
                .build();
        AlertRule pool = AlertRule.builder("DbPoolPressure").source(() -> 0)
                .when(Comparison.ABOVE, 0.85).forDuration(Duration.ofMinutes(5)).severity(Severity.WARNING)
                .summary("DB pool usage above 85 % for 5 minutes").promql("avg_over_time(db_pool_usage_ratio[5m])")
                .build();
        AlertRule inProcessOnly = AlertRule.builder("LocalOnly").source(() -> 0).when(Comparison.ABOVE, 1).build();
        return MetricsExport.of(slos, List.of(pool, inProcessOnly), "Opskit test");
    }

    /** Runs promtool when installed; with CI=true a missing promtool fails the test, naming it. */
    static ProcessResult promtool(String... args) throws Exception {
        String found = null;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "promtool"))) {
                found = Path.of(dir, "promtool").toString();
                break;
            }
        }
        String message = "promtool is not installed (Debian package prometheus)";
        if ("true".equals(System.getenv("CI"))) {
            assertThat(found).as(message).isNotNull();
        } else {
            assumeThat(found).as(message).isNotNull();
        }
        List<String> command = new ArrayList<>();
        command.add(found);
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new ProcessResult(process.exitValue(), output);
    }

    record ProcessResult(int exitCode, String output) {
    }

    @Test
    void prometheusRules_generated_passPromtoolCheckRules() throws Exception {
        List<Path> files = export().writeTo(dir);
        ProcessResult result = promtool("check", "rules", files.get(0).toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void prometheusRules_containMultiWindowBurnAlertsAndThresholdRule() {
        String yaml = export().prometheusRules();
        assertThat(yaml).contains("record: opskit:slo_error_ratio:rate5m")
                .contains("record: opskit:slo_error_ratio:rate3d")
                // 14.4 x 0.1 % budget over 1 h and 5 m, guarded by the event count.
                .contains("opskit:slo_error_ratio:rate1h{slo=\"api-availability\"} > 0.0144 and on(slo) "
                        + "opskit:slo_error_ratio:rate5m{slo=\"api-availability\"} > 0.0144 and on() "
                        + "sum(increase(http_server_requests_seconds_count[1h])) >= 100")
                .contains("le=\"0.2\"")
                .contains("route=~\"/api/items/\\\\{id\\\\}\"")
                .contains("alert: DbPoolPressure").contains("for: 5m")
                .contains("'(avg_over_time(db_pool_usage_ratio[5m])) > 0.85'")
                .doesNotContain("LocalOnly");
    }

    @Test
    void grafanaDashboard_isJsonWithPanelsForEverySeriesAndSlo() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(export().grafanaDashboard());
        assertThat(dashboard.get("title").asText()).isEqualTo("Opskit test");
        List<String> exprs = new ArrayList<>();
        dashboard.get("panels").forEach(p -> p.get("targets").forEach(t -> exprs.add(t.get("expr").asText())));
        assertThat(String.join("\n", exprs)).contains("http_server_requests_seconds_count")
                .contains("histogram_quantile(0.95").contains("db_pool_usage_ratio").contains("cache_hit_ratio")
                .contains("slo_error_budget_remaining{slo=\"api-latency\"}")
                .contains("opskit:slo_error_ratio:rate1h{slo=\"api-availability\"} / 0.001");
        assertThat(dashboard.get("panels")).hasSize(10);
    }

    @Test
    void writeTo_writesBothFiles() throws Exception {
        List<Path> files = export().writeTo(dir.resolve("generated"));
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly(MetricsExport.RULES_FILE, MetricsExport.DASHBOARD_FILE);
        assertThat(files).allSatisfy(f -> assertThat(Files.size(f)).isPositive());
    }
}
