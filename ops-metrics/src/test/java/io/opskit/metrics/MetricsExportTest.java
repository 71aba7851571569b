package io.opskit.metrics;

import io.opskit.api.Threshold;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opskit.testsupport.Promtool;
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
                .when(Threshold.above(0.85, 0.95)).forDuration(Duration.ofMinutes(5))
                .summary("DB pool usage above 85 % for 5 minutes")
                .promql("max by (job, instance, pool) (db_pool_usage_ratio{${selector}})")
                .build();
        AlertRule inProcessOnly = AlertRule.builder("LocalOnly").source(() -> 0).when(Threshold.above(1, 1)).build();
        return MetricsExport.builder().job("app").slos(slos).alertRule(pool).alertRule(inProcessOnly)
                .title("Opskit test").build();
    }

    @Test
    void prometheusRules_generated_passPromtoolCheckRules() throws Exception {
        List<Path> files = export().writeTo(dir);
        Promtool.Result result = Promtool.run(new byte[0], "check", "rules", files.get(0).toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void prometheusRules_containScopedBurnAlertsAndThresholdRule() {
        String yaml = export().prometheusRules();
        assertThat(yaml).contains("record: opskit:slo_error_ratio:rate5m")
                .contains("record: opskit:slo_error_ratio:rate3d")
                .contains("record: opskit:slo_error_budget_remaining:ratio")
                // 14.4 x 0.1 % budget over 1 h and 5 m, scoped to the job, guarded by the event count.
                .contains("opskit:slo_error_ratio:rate1h{job=\"app\",slo=\"api-availability\"} > 0.0144 and on (job, slo) "
                        + "opskit:slo_error_ratio:rate5m{job=\"app\",slo=\"api-availability\"} > 0.0144 and on (job) "
                        + "sum by (job) (increase(http_server_requests_seconds_count{job=\"app\",")
                .contains(">= 100")
                .contains("le=\"0.2\"")
                .contains("route=~\"/api/items/\\\\{id\\\\}\"")
                .contains("alert: DbPoolPressure").contains("for: 5m")
                .contains("'(max by (job, instance, pool) (db_pool_usage_ratio{job=\"app\"})) >= 0.85'")
                .contains("'(max by (job, instance, pool) (db_pool_usage_ratio{job=\"app\"})) >= 0.95'")
                .doesNotContain("LocalOnly");
        // One rule group for the service.
        assertThat(yaml.lines().filter(l -> l.startsWith("  - name: "))).containsExactly("  - name: 'opskit-app'");
    }

    @Test
    void prometheusRules_everyExpression_selectsTheServiceAndKeepsItsLabels() {
        MetricsExport export = MetricsExport.builder().job("shop").selectorLabel("env", "prod")
                .slos(SloTracker.builder().slo(Slo.availability("checkout", 0.99)).build()).build();
        List<String> exprs = export.prometheusRules().lines().filter(l -> l.trim().startsWith("expr: "))
                .collect(java.util.stream.Collectors.toList());
        assertThat(exprs).isNotEmpty().allSatisfy(e -> {
            assertThat(e).contains("job=\"shop\",env=\"prod\"");
            assertThat(e).doesNotContain("sum(").doesNotContain("on()");
        });
        assertThat(exprs).anySatisfy(e -> assertThat(e).contains("sum by (job, env) (rate("));
        // Health, metrics and admin routes and maintenance refusals are left out by default.
        assertThat(exprs).allSatisfy(e -> assertThat(e).contains("route!~\"/admin(/.*)?|/health(/.*)?|/metrics(/.*)?\"")
                .contains("outcome!=\"REFUSED\""));
        assertThat(export.prometheusRules()).contains("  - name: 'opskit-shop-prod'");
    }

    @Test
    void grafanaDashboard_hasJobAndInstanceVariablesAndScopedQueries() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(export().grafanaDashboard());
        assertThat(dashboard.get("title").asText()).isEqualTo("Opskit test");
        List<String> variables = new ArrayList<>();
        dashboard.get("templating").get("list").forEach(v -> variables.add(v.get("name").asText()));
        assertThat(variables).containsExactly("datasource", "job", "instance");
        JsonNode job = dashboard.get("templating").get("list").get(1);
        assertThat(job.get("multi").asBoolean()).isTrue();
        assertThat(job.get("current").get("value").get(0).asText()).isEqualTo("app");
        List<String> exprs = new ArrayList<>();
        dashboard.get("panels").forEach(p -> p.get("targets").forEach(t -> exprs.add(t.get("expr").asText())));
        assertThat(exprs).hasSizeGreaterThanOrEqualTo(19).allSatisfy(e -> assertThat(e).contains("job=~\"$job\""));
        assertThat(String.join("\n", exprs)).contains("http_server_requests_seconds_count")
                .contains("histogram_quantile(0.95, sum by (job, le)").contains("db_pool_usage_ratio")
                .contains("max by (job, instance, cache) (cache_hit_ratio")
                .contains("opskit:slo_error_budget_remaining:ratio{job=~\"$job\",slo=\"api-latency\"}")
                .contains("opskit:slo_error_ratio:rate1h{job=~\"$job\",slo=\"api-availability\"} / 0.001");
        assertThat(dashboard.get("panels")).hasSize(10);
    }

    @Test
    void grafanaDashboard_withoutCachePanel_hasNoQueryThatCanNeverHaveData() throws Exception {
        String json = MetricsExport.builder().job("app").cacheHitRatioPanel(false).build().grafanaDashboard();
        JsonNode dashboard = new ObjectMapper().readTree(json);
        assertThat(json).doesNotContain("cache_hit_ratio");
        assertThat(dashboard.get("panels")).hasSize(5);
        assertThatThrownBy(() -> MetricsExport.builder().cacheHitRatioPanel(false).cacheHitRatioPanel(true))
                .isInstanceOf(IllegalStateException.class).hasMessage("cacheHitRatioPanel was already set");
    }

    @Test
    void builder_missingOrRepeatedValues_namesField() {
        assertThatThrownBy(() -> MetricsExport.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("job is required: the Prometheus job label of the service");
        assertThatThrownBy(() -> MetricsExport.builder().job("a").job("b")).isInstanceOf(IllegalStateException.class)
                .hasMessage("job was already set");
        assertThatThrownBy(() -> MetricsExport.builder().job(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job must not be blank: ' '");
        assertThatThrownBy(() -> MetricsExport.builder().selectorLabel("instance", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'instance'");
    }

    @Test
    void writeTo_writesBothFiles() throws Exception {
        List<Path> files = export().writeTo(dir.resolve("generated"));
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly(MetricsExport.RULES_FILE, MetricsExport.DASHBOARD_FILE);
        assertThat(files).allSatisfy(f -> assertThat(Files.size(f)).isPositive());
    }
}
