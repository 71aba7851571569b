package io.opskit.metrics;

import io.opskit.api.Threshold;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's ops-metrics snippet, verbatim, so that it keeps compiling and working. */
class ReadmeExampleTest {

    private static final String SNIPPET = """
SloTracker slos = OpsMetrics.slos()
        .slo(Slo.availability("api-availability", 0.999))
        .slo(Slo.latency("api-latency", 0.95, Duration.ofMillis(200)))
        .build();
slos.bindTo(registry);
RequestMetrics requests = OpsMetrics.requests()
        .meterRegistry(registry)
        .maxRoutes(200)
        .listener(slos)
        .build();
server.createContext("/api/items", itemsHandler).getFilters().add(OpsMetrics.httpServerFilter(requests));

HikariPoolMetrics pool = HikariPoolMetrics.of(dataSource);
pool.bindTo(registry);
CaffeineCacheGauges.of(cache, "users").bindTo(registry);

AlertRule poolPressure = AlertRule.builder("DbPoolPressure")
        .source(() -> pool.snapshot().usageRatio())
        .when(Threshold.above(0.70, 0.85))
        .forDuration(Duration.ofMinutes(5))
        .promql("max by (job, instance, pool) (db_pool_usage_ratio{${selector}})")
        .build();
AlertEvaluator alerts = OpsMetrics.alerts()
        .rule(poolPressure)
        .notifier(LoggingNotifier.create())
        .notifier(AlertmanagerWebhookNotifier.to(URI.create("http://127.0.0.1:9093/hook")))
        .evaluateEvery(Duration.ofSeconds(15))
        .scheduler(scheduler)
        .build();
OpsMetrics.export().job("my-service").slos(slos).alertRule(poolPressure).title("My service").build()
        .writeTo(dataDir);
""";

    @TempDir
    Path dataDir;

    @Test
    void readme_containsSnippetVerbatim() throws Exception {
        Path readme = Path.of("..", "README.md");
        assertThat(Files.readString(readme, StandardCharsets.UTF_8)).contains(SNIPPET);
    }

    @Test
    void snippet_runs_measuresRequestsAndWritesExports() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        HttpHandler itemsHandler = exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        };
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:sqlite:" + dataDir.resolve("app.db"));
        config.setMaximumPoolSize(2);
        Cache<String, String> cache = Caffeine.newBuilder().recordStats().build();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            SloTracker slos = OpsMetrics.slos()
                    .slo(Slo.availability("api-availability", 0.999))
                    .slo(Slo.latency("api-latency", 0.95, Duration.ofMillis(200)))
                    .build();
            slos.bindTo(registry);
            RequestMetrics requests = OpsMetrics.requests()
                    .meterRegistry(registry)
                    .maxRoutes(200)
                    .listener(slos)
                    .build();
            server.createContext("/api/items", itemsHandler).getFilters().add(OpsMetrics.httpServerFilter(requests));

            HikariPoolMetrics pool = HikariPoolMetrics.of(dataSource);
            pool.bindTo(registry);
            CaffeineCacheGauges.of(cache, "users").bindTo(registry);

            AlertRule poolPressure = AlertRule.builder("DbPoolPressure")
                    .source(() -> pool.snapshot().usageRatio())
                    .when(Threshold.above(0.70, 0.85))
                    .forDuration(Duration.ofMinutes(5))
                    .promql("max by (job, instance, pool) (db_pool_usage_ratio{${selector}})")
                    .build();
            AlertEvaluator alerts = OpsMetrics.alerts()
                    .rule(poolPressure)
                    .notifier(LoggingNotifier.create())
                    .notifier(AlertmanagerWebhookNotifier.to(URI.create("http://127.0.0.1:9093/hook")))
                    .evaluateEvery(Duration.ofSeconds(15))
                    .scheduler(scheduler)
                    .build();
            OpsMetrics.export().job("my-service").slos(slos).alertRule(poolPressure).title("My service").build()
        .writeTo(dataDir);

            server.start();
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/items")).build(),
                    HttpResponse.BodyHandlers.discarding());
            long deadline = System.nanoTime() + 5_000_000_000L;
            io.micrometer.core.instrument.search.Search ok = registry.find(RequestMetrics.TIMER)
                    .tags("route", "/api/items", "status", "200");
            while ((ok.timer() == null || ok.timer().count() == 0) && System.nanoTime() < deadline) {
                Thread.yield();
            }
            assertThat(registry.get(RequestMetrics.TIMER).tags("route", "/api/items", "status", "200").timer().count())
                    .isEqualTo(1);
            assertThat(slos.sli("api-availability")).isEqualTo(1.0);
            assertThat(registry.get(HikariPoolMetrics.USAGE).gauge().value()).isZero();
            assertThat(dataDir.resolve(MetricsExport.RULES_FILE)).isRegularFile();
            assertThat(dataDir.resolve(MetricsExport.DASHBOARD_FILE)).isRegularFile();
            alerts.close();
        } finally {
            server.stop(0);
            scheduler.shutdownNow();
        }
    }
}
