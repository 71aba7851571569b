package io.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.testsupport.ReadmeSnippets;
import io.opskit.testsupport.ReadmeSnippets.Param;
import io.opskit.health.checks.MaintenanceMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteDataSource;

/** The README's ops-health snippet, compiled from the README and run against real servers. */
class ReadmeExampleTest {

    private static final Logger log = LoggerFactory.getLogger(ReadmeExampleTest.class);

    @TempDir
    Path dataDir;

    @Test
    void readmeSnippet_runsAgainstRealServers() throws Exception {
        GreenMail mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        mail.start();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.start();
        SQLiteDataSource dataSource = new SQLiteDataSource();
        dataSource.setUrl("jdbc:sqlite:" + dataDir.resolve("app.db"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        String smtpHost = "127.0.0.1";
        int smtpPort = mail.getSmtp().getPort();
        String adminToken = "readme-token";
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        OpsHealth health = null;
        HttpHandler apiHandler = exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        };
        try {
            List<?> built = (List<?>) ReadmeSnippets.forProject().section("## ops-health")
                    .compile("java.util.List.of(health, maintenance)",
                            Param.of("javax.sql.DataSource", "dataSource"), Param.of(Path.class, "dataDir"),
                            Param.of(String.class, "smtpHost"), Param.of("int", "smtpPort"),
                            Param.of(Logger.class, "log"), Param.of(MeterRegistry.class, "registry"),
                            Param.of(String.class, "adminToken"), Param.of(HttpServer.class, "server"),
                            Param.of(HttpHandler.class, "apiHandler"))
                    .run(dataSource, dataDir, smtpHost, smtpPort, log, registry, adminToken, server, apiHandler);
            health = (OpsHealth) built.get(0);
            MaintenanceMode maintenance = (MaintenanceMode) built.get(1);

            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("✓ database: Connected (")
                    .contains("maintenance: not in maintenance").contains("Overall: ");
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            maintenance.set(true);
            HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/notes")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(api.statusCode()).isEqualTo(503);
        } finally {
            System.setOut(out);
            if (health != null) {
                health.close();
            }
            server.stop(0);
            mail.stop();
        }
    }
}
