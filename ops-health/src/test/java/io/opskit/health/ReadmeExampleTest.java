package io.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.health.checks.DiskSpaceCheck;
import io.opskit.health.checks.JdbcCheck;
import io.opskit.health.checks.MaintenanceMode;
import io.opskit.health.checks.SmtpCheck;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteDataSource;

/** Keeps the README's ops-health snippet compiling and working. */
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
        com.sun.net.httpserver.HttpHandler apiHandler = exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        };
        try {
            // README snippet start
            MaintenanceMode maintenance = MaintenanceMode.off();
            health = OpsHealth.builder()
                    .register("database", JdbcCheck.of(dataSource), CheckOptions.defaults())
                    .register("database-size", JdbcCheck.of(dataSource).withSizeLimits(JdbcCheck.DEFAULT_SIZE_LIMITS),
                            CheckOptions.defaults().critical(false))
                    .register("disk", DiskSpaceCheck.of(dataDir), CheckOptions.defaults().critical(false))
                    .register("mail", SmtpCheck.of(smtpHost, smtpPort), CheckOptions.defaults().critical(false)
                            .inBackground(Duration.ofMinutes(5), 3, Duration.ofMinutes(15)))
                    .register("maintenance", maintenance, MaintenanceMode.options())
                    .notifier(event -> log.warn(event.summary()))
                    .meterRegistry(registry)
                    .build();
            HealthEndpoint endpoint = HealthEndpoint.builder(health)
                    .details(DetailsPolicy.whenAuthorized(header -> ("Bearer " + adminToken).equals(header)))
                    .build();
            server.createContext("/health", new HealthHttpHandler(endpoint));
            server.createContext("/api", apiHandler).getFilters().add(maintenance.filter());
            System.out.print(HealthTextReport.render(health.check(), false));
            // README snippet end

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

    @Test
    void readme_containsThisSnippetVerbatim() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String section = readme.substring(readme.indexOf("## ops-health"));
        String block = section.substring(section.indexOf("```java") + "```java".length(), section.indexOf("```\n", section.indexOf("```java") + 7));
        String source = Files.readString(Path.of("src/test/java/io/opskit/health/ReadmeExampleTest.java"));
        String snippet = source.substring(source.indexOf("// README snippet start\n") + 24,
                source.indexOf("            // README snippet end"));

        assertThat(normalize(snippet).replace("health = OpsHealth.builder()", "OpsHealth health = OpsHealth.builder()"))
                .isEqualTo(normalize(block));
    }

    private static String normalize(String code) {
        List<String> lines = code.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.toList());
        return String.join("\n", lines);
    }
}
