package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsFeatureTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private SampleApp start() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SampleMain.Launch launch = SampleMain.launch(
                new String[] {"--port", "0", "--data-dir", dataDir.toString()}, Map.of(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertThat(launch.app()).as("sample failed to start: %s", err).isNotNull();
        return launch.app();
    }

    private HttpResponse<String> get(SampleApp app, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metrics_afterRequests_exposesRouteTemplatesNotRawPaths() throws Exception {
        try (SampleApp app = start()) {
            assertThat(get(app, "/").statusCode()).isEqualTo(200);
            for (int i = 0; i < 5; i++) {
                assertThat(get(app, "/no-such-page-" + i).statusCode()).isEqualTo(404);
            }
            // Requests are recorded just after their response is sent: poll until the last one shows.
            HttpResponse<String> metrics = get(app, "/metrics");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!metrics.body().contains("route=\"NOT_FOUND\",status=\"404\"} 5") && System.nanoTime() < deadline) {
                metrics = get(app, "/metrics");
            }
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("text/plain"));
            assertThat(metrics.body())
                    .contains("http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",route=\"/\",status=\"200\"}")
                    .doesNotContain("exception=\"none\"")
                    .contains("route=\"NOT_FOUND\"")
                    .contains("http_server_requests_seconds_bucket")
                    .contains("http_server_requests_in_flight")
                    .contains("slo_error_budget_remaining{slo=\"sample-availability\"}")
                    .contains("db_pool_usage_ratio{pool=\"sample-sqlite\"}")
                    .doesNotContain("no-such-page");
        }
    }

    @Test
    void metrics_healthProbesAndJvm_distinctRoutesAndProcessMeters() throws Exception {
        try (SampleApp app = start()) {
            get(app, "/health");
            get(app, "/health/live");
            get(app, "/health/ready");
            String scrape = get(app, "/metrics").body();
            assertThat(scrape).contains("route=\"/health\"").contains("route=\"/health/live\"")
                    .contains("route=\"/health/ready\"");
            // So that "CPU > 80 % for 5 m" and "heap > 85 %" can be written against the sample.
            assertThat(scrape).contains("process_cpu_usage").contains("jvm_memory_used_bytes")
                    .contains("jvm_memory_max_bytes").contains("db_pool_connections_open");
        }
    }

    @Test
    void request_withId_echoedAndGeneratedOtherwise() throws Exception {
        try (SampleApp app = start()) {
            assertThat(get(app, "/", "X-Request-Id", "abc-123").headers().firstValue("X-Request-Id"))
                    .hasValue("abc-123");
            assertThat(get(app, "/").headers().firstValue("X-Request-Id"))
                    .hasValueSatisfying(id -> assertThat(id).matches("[0-9a-f]{32}"));
        }
    }

    @Test
    void dbPool_snapshot_isJsonWithUsage() throws Exception {
        try (SampleApp app = start()) {
            HttpResponse<String> response = get(app, "/metrics/db-pool");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(response.body()).contains("\"pool\":\"sample-sqlite\"").contains("\"started\":true")
                    .contains("\"max\":4").contains("\"checked_out\":").contains("\"usage_ratio\":");
        }
    }

    @Test
    void start_writesRulesAndDashboard_rulesPassPromtool() throws Exception {
        try (SampleApp app = start()) {
            Path rules = dataDir.resolve(io.opskit.metrics.MetricsExport.RULES_FILE);
            assertThat(rules).isRegularFile();
            assertThat(dataDir.resolve(io.opskit.metrics.MetricsExport.DASHBOARD_FILE)).isRegularFile();
            assertThat(java.nio.file.Files.readString(rules)).contains("slo: 'sample-availability'")
                    .contains("slo: 'sample-latency'").contains("alert: HighDbPoolUsage")
                    .contains("alert: ServiceDown").contains("alert: BackupStale");
            MetricsPromtool.Result result = MetricsPromtool.run(new byte[0], "check", "rules", rules.toString());
            assertThat(result.exitCode()).as(result.output()).isZero();
        }
    }

    @Test
    void alertPack_everySeriesItReads_isExportedBySample() throws Exception {
        try (SampleApp app = start()) {
            // One AI call, so that its duration histogram and cost counter exist.
            HttpResponse<String> feedback = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + app.port() + "/api/feedback"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"text\": \"Nice sample.\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(feedback.statusCode()).as(feedback.body()).isEqualTo(200);
            get(app, "/");
            String scrape = get(app, "/metrics").body();
            java.util.Set<String> names = MetricsFeature.alertPack(SampleSettings.load(dataDir, Map.of())).metricNames();
            assertThat(names).contains("ai_cost_usd_total", "opskit_backup_last_success_timestamp_seconds", "disk_free_bytes");
            for (String name : names) {
                if (!name.equals("up")) { // Prometheus' own series
                    assertThat(scrape).as(name).containsPattern("(?m)^" + name + "[{ ]");
                }
            }
        }
    }

    @Test
    void metrics_scrape_passesPromtoolCheckMetrics() throws Exception {
        try (SampleApp app = start()) {
            get(app, "/");
            get(app, "/missing");
            get(app, "/metrics/db-pool");
            HttpResponse<String> scrape = get(app, "/metrics");
            MetricsPromtool.Result result = MetricsPromtool.run(
                    scrape.body().getBytes(java.nio.charset.StandardCharsets.UTF_8), "check", "metrics");
            assertThat(result.exitCode()).as(result.output()).isZero();
        }
    }

    @Test
    void jsonLogs_duringRequest_carryRequestIdAndTraceContextFields() throws Exception {
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        try {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            SampleMain.Launch launch = SampleMain.launch(
                    new String[] {"--port", "0", "--data-dir", dataDir.toString()},
                    Map.of("OPSKIT_METRICS_SLOW_REQUEST_MS", "0.000001"),
                    new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
            assertThat(launch.app()).as("sample failed to start: %s", err).isNotNull();
            try (SampleApp app = launch.app()) {
                get(app, "/", "X-Request-Id", "trace-77",
                        "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (snapshot(appender).stream()
                        .noneMatch(e -> "trace-77".equals(e.getMDCPropertyMap().get("request_id")))
                        && System.nanoTime() < deadline) {
                    Thread.yield();
                }
            }
        } finally {
            root.detachAppender(appender);
        }
        ch.qos.logback.classic.spi.ILoggingEvent slow = snapshot(appender).stream()
                .filter(e -> "trace-77".equals(e.getMDCPropertyMap().get("request_id")))
                .findFirst().orElseThrow();
        assertThat(slow.getFormattedMessage()).contains("slow request").contains("request_id=trace-77");
        // The sample's LOG_JSON encoder turns the MDC entry into a field of the JSON line.
        net.logstash.logback.encoder.LogstashEncoder encoder = new net.logstash.logback.encoder.LogstashEncoder();
        encoder.setContext(root.getLoggerContext());
        encoder.start();
        String json = new String(encoder.encode(slow), java.nio.charset.StandardCharsets.UTF_8);
        encoder.stop();
        assertThat(json).contains("\"request_id\":\"trace-77\"")
                .contains("\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"")
                .contains("\"span_id\":\"00f067aa0ba902b7\"");
    }

    @Test
    void adminRoute_missingAndWrongToken_countedAsFailedLoginsAndUnauthorizedRequestsNeverTheToken() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SampleMain.Launch launch = SampleMain.launch(
                new String[] {"--port", "0", "--data-dir", dataDir.toString()}, Map.of("OPSKIT_ADMIN_TOKEN", "s3cret-admin"),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertThat(launch.app()).as("sample failed to start: %s", err).isNotNull();
        try (SampleApp app = launch.app()) {
            String zeros = get(app, "/metrics").body();
            assertThat(zeros).contains("security_authentication_failures_total{reason=\"bad_credentials\"} 0.0")
                    .contains("security_unauthorized_requests_total{reason=\"unauthenticated\"} 0.0");
            assertThat(get(app, "/admin/jobs").statusCode()).isEqualTo(401);
            assertThat(get(app, "/admin/jobs", "Authorization", "Bearer guess-1").statusCode()).isEqualTo(401);
            assertThat(get(app, "/admin/jobs", "Authorization", "Bearer guess-2").statusCode()).isEqualTo(401);
            HttpResponse<String> metrics = get(app, "/metrics");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!metrics.body().contains("security_unauthorized_requests_total{reason=\"unauthenticated\"} 3.0")
                    && System.nanoTime() < deadline) {
                metrics = get(app, "/metrics");
            }
            assertThat(metrics.body())
                    .contains("security_authentication_failures_total{reason=\"missing_credentials\"} 1.0")
                    .contains("security_authentication_failures_total{reason=\"bad_credentials\"} 2.0")
                    .contains("security_unauthorized_requests_total{reason=\"unauthenticated\"} 3.0")
                    .doesNotContain("guess-").doesNotContain("s3cret");
        }
        String rules = java.nio.file.Files.readString(dataDir.resolve(io.opskit.metrics.MetricsExport.RULES_FILE));
        assertThat(rules).contains("alert: HighFailedLoginRate").contains("alert: HighUnauthorizedRequestRate")
                .contains("alert: HighExportVolume");
    }

    /** Logback appends under the appender's lock; copy under it too. */
    private static java.util.List<ch.qos.logback.classic.spi.ILoggingEvent> snapshot(
            ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender) {
        synchronized (appender) {
            return new java.util.ArrayList<>(appender.list);
        }
    }
}
