package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.testsupport.ReadmeSnippets;
import io.opskit.testsupport.ReadmeSnippets.Param;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's ops-metrics snippet, compiled from the README with its imports and run as printed. */
class ReadmeExampleTest {

    @TempDir
    Path dataDir;

    @Test
    void readmeSnippet_runs_measuresRequestsAndWritesExports() throws Exception {
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
        AlertEvaluator alerts = null;
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            List<?> built = (List<?>) ReadmeSnippets.forProject().section("## ops-metrics")
                    .compile("java.util.List.of(slos, alerts)",
                            Param.of(MeterRegistry.class, "registry"), Param.of(HttpServer.class, "server"),
                            Param.of(HttpHandler.class, "itemsHandler"),
                            Param.of(HikariDataSource.class, "dataSource"),
                            Param.of("com.github.benmanes.caffeine.cache.Cache<String, String>", "cache"),
                            Param.of(ScheduledExecutorService.class, "scheduler"), Param.of(Path.class, "dataDir"))
                    .run(registry, server, itemsHandler, dataSource, cache, scheduler, dataDir);
            SloTracker slos = (SloTracker) built.get(0);
            alerts = (AlertEvaluator) built.get(1);

            server.start();
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/items")).build(),
                    HttpResponse.BodyHandlers.discarding());
            // The filter records after the response is sent: wait for the request's own series.
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
            assertThat(alerts.rules()).extracting(AlertRule::name).containsExactly("DbPoolPressure");
            assertThat(dataDir.resolve(MetricsExport.RULES_FILE)).isRegularFile();
            assertThat(dataDir.resolve(MetricsExport.DASHBOARD_FILE)).isRegularFile();
        } finally {
            if (alerts != null) {
                alerts.close();
            }
            server.stop(0);
            scheduler.shutdownNow();
        }
    }
}
