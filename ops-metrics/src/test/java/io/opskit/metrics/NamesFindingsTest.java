package io.opskit.metrics;

import static io.opskit.metrics.AlertPackPromtoolTest.flat;
import static io.opskit.metrics.PromtoolSuite.labels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opskit.api.notify.Severity;
import io.opskit.testsupport.Promtool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding 7 of the monitoring-stack issue (and the first-burst part of finding 3): names as Prometheus reads them. */
class NamesFindingsTest {

    @TempDir
    Path dir;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @Test
    void finding7_errorSentinel_requestsWithoutExceptionHaveNoExceptionLabel() throws Exception {
        RequestMetrics requests = RequestMetrics.builder().meterRegistry(registry).build();
        requests.stop(requests.start(), "GET", "/api/items", 200, null);
        requests.stop(requests.start(), "GET", "/api/items", 500, new IllegalStateException("boom"));
        String scrape = registry.scrape();
        assertThat(scrape).doesNotContain("exception=\"none\"")
                .contains("http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",route=\"/api/items\","
                        + "status=\"200\"} 1")
                .contains("http_server_requests_seconds_count{exception=\"IllegalStateException\",method=\"GET\","
                        + "outcome=\"SERVER_ERROR\",route=\"/api/items\",status=\"500\"} 1");
        Promtool.Result check = Promtool.run(scrape.getBytes(StandardCharsets.UTF_8), "check", "metrics");
        assertThat(check.exitCode()).as(check.output()).isZero();
    }

    @Test
    void finding3_routeOverflowCounter_existsAtZeroBeforeTheFirstOverflow() {
        RequestMetrics.builder().meterRegistry(registry).build();
        assertThat(registry.scrape()).contains("http_server_requests_route_overflow_total 0.0");
    }

    @Test
    void finding7_noCommonPrefix_metricPrefixOnOpskitsOwnMetersButNotOnHttpServerRequests() {
        try (HikariDataSource ds = new HikariDataSource()) {
            ds.setPoolName("main");
            ds.setJdbcUrl("jdbc:sqlite:" + dir.resolve("main.db"));
            HikariPoolMetrics pool = HikariPoolMetrics.of(ds).withMetricPrefix("chatbot");
            pool.bindTo(registry);
            SloTracker slos = SloTracker.builder().metricPrefix("chatbot").slo(Slo.availability("chat", 0.999)).build();
            slos.bindTo(registry);
            SecuritySignals.builder().meterRegistry(registry).metricPrefix("chatbot").build();
            RequestMetrics requests = RequestMetrics.builder().meterRegistry(registry).listener(slos).build();
            requests.stop(requests.start(), "GET", "/api/chat", 200, null);
            String scrape = registry.scrape();
            assertThat(scrape).containsPattern("(?m)^chatbot_db_pool_usage_ratio\\{pool=\"main\"}")
                    .containsPattern("(?m)^chatbot_db_pool_connections_open\\{pool=\"main\"}")
                    .containsPattern("(?m)^chatbot_slo_sli_ratio\\{slo=\"chat\"}")
                    .containsPattern("(?m)^chatbot_security_authentication_failures_total\\{reason=\"bad_credentials\"} 0")
                    .containsPattern("(?m)^http_server_requests_seconds_count\\{")
                    .doesNotContainPattern("(?m)^db_pool_").doesNotContainPattern("(?m)^slo_")
                    .doesNotContainPattern("(?m)^security_");
        }
    }

    @Test
    void finding7_poolConnectionsTotal_exportedAsOpenNotAsACounterLikeName() {
        try (HikariDataSource ds = new HikariDataSource()) {
            ds.setPoolName("main");
            ds.setJdbcUrl("jdbc:sqlite:" + dir.resolve("total.db"));
            HikariPoolMetrics.of(ds).bindTo(registry);
            assertThat(registry.scrape()).contains("db_pool_connections_open{pool=\"main\"}")
                    .doesNotContain("db_pool_connections{").doesNotContain("db_pool_connections_total");
        }
    }

    @Test
    void metricPrefix_export_rulesAndDashboardReadThePrefixedSeries() throws Exception {
        MetricsExport export = MetricsExport.builder().job("app").metricPrefix("chatbot")
                .alertPack(AlertPack.builder().dbPoolUsage(0.85, Duration.ofMinutes(5), Severity.WARNING)
                        .serverErrorRatio(0.01, Duration.ofMinutes(5), Severity.WARNING).build())
                .securityAlerts(SecurityAlerts.builder().failedLogins(10, Duration.ZERO, Severity.WARNING).build())
                .build();
        String rules = export.prometheusRules();
        assertThat(rules).contains("(chatbot_db_pool_usage_ratio{job=\"app\"})")
                .contains("rate(chatbot_security_authentication_failures_total{job=\"app\"}[5m])")
                .contains("http_server_requests_seconds_count{job=\"app\"")
                .doesNotContain("(db_pool_usage_ratio").doesNotContain("(security_");
        assertThat(export.grafanaDashboard()).contains("chatbot_db_pool_usage_ratio{")
                .doesNotContain("(db_pool_usage_ratio{");

        Files.writeString(dir.resolve("rules.yml"), rules, StandardCharsets.UTF_8);
        PromtoolSuite suite = new PromtoolSuite(Duration.ofMinutes(1)).ruleFile("rules.yml")
                .series("chatbot_db_pool_usage_ratio{job=\"app\",instance=\"a:8080\",pool=\"main\"}", flat(0.9, 10))
                .series("db_pool_usage_ratio{job=\"app\",instance=\"b:8080\",pool=\"main\"}", flat(0.9, 10));
        suite.expectAlerts(6, AlertPack.HIGH_DB_POOL_USAGE,
                List.of(labels("job", "app", "instance", "a:8080", "pool", "main", "severity", "warning")),
                List.of(labels("summary", "DB pool main of a:8080 is nearly exhausted",
                        "description", "90% of the pool's connections are in use, above 85 % for 5m.",
                        "runbook_url", "https://github.com/opskit/opskit/blob/main/ops-metrics/RUNBOOKS.md#highdbpoolusage")));
        Promtool.Result result = suite.run(dir, "prefix.yml");
        assertThat(result.exitCode()).as(result.output() + "\n" + rules).isZero();
    }

    @Test
    void metricPrefix_invalidOrTwice_namesFieldAndValue() {
        assertThatThrownBy(() -> SloTracker.builder().metricPrefix("Chat-Bot"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metricPrefix must be 1 to 32 lower-case letters, digits and '_', starting with a letter: "
                        + "'Chat-Bot'");
        assertThatThrownBy(() -> MetricsExport.builder().metricPrefix("a").metricPrefix("b"))
                .isInstanceOf(IllegalStateException.class).hasMessage("metricPrefix was already set");
        try (HikariDataSource ds = new HikariDataSource()) {
            assertThatThrownBy(() -> HikariPoolMetrics.of(ds).withMetricPrefix("a").withMetricPrefix("b"))
                    .isInstanceOf(IllegalStateException.class).hasMessage("metricPrefix was already set");
        }
        assertThatThrownBy(() -> SecuritySignals.builder().metricPrefix("chat.bot"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
