package io.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import io.opskit.health.checks.MaintenanceMode;
import io.opskit.health.servlet.HealthServlet;
import io.opskit.health.servlet.MaintenanceFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Maintenance mode in front of real servers: the JDK HttpServer and Jetty (Servlet 6). */
class MaintenanceFilterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final MaintenanceMode maintenance = MaintenanceMode.off();
    private final OpsHealth health = OpsHealth.builder()
            .register("maintenance", maintenance, MaintenanceMode.options()).build();
    private final HealthEndpoint endpoint = HealthEndpoint.builder(health).build();

    @AfterEach
    void tearDown() {
        health.close();
    }

    private HttpResponse<String> send(String url, String method) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}"))
                .header("Content-Type", "application/json") : b.GET();
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void jdkFilter_maintenanceOn_refusesBusinessWith503RetryAfterJson_healthAndMetricsPass() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<HttpContext> contexts = List.of(
                server.createContext("/health", new HealthHttpHandler(endpoint)),
                server.createContext("/metrics", exchange -> reply(exchange, "# metrics")),
                server.createContext("/api/feedback", exchange -> reply(exchange, "{\"ok\":true}")));
        for (HttpContext context : contexts) {
            context.getFilters().add(maintenance.filter());
        }
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            assertThat(send(base + "/api/feedback", "POST").statusCode()).isEqualTo(200);

            maintenance.set(true);

            HttpResponse<String> refused = send(base + "/api/feedback", "POST");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("300");
            assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(JSON.readTree(refused.body()).path("error").asText()).isEqualTo("maintenance");
            assertThat(send(base + "/health/live", "GET").statusCode()).isEqualTo(200);
            assertThat(send(base + "/health/ready", "GET").statusCode()).isEqualTo(503); // readiness says why
            assertThat(send(base + "/metrics", "GET").statusCode()).isEqualTo(200);
            assertThat(send(base + "/health/../api/feedback", "GET").statusCode()).isEqualTo(503);

            maintenance.set(false);
            assertThat(send(base + "/api/feedback", "POST").statusCode()).isEqualTo(200);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void servletFilter_maintenanceOn_refusesBusinessWith503RetryAfterJson_healthPasses() throws Exception {
        Server server = new Server(new InetSocketAddress("127.0.0.1", 0));
        ServletContextHandler context = new ServletContextHandler("/app");
        ServletHolder healthHolder = new ServletHolder(new HealthServlet(endpoint));
        context.addServlet(healthHolder, "/health");
        context.addServlet(healthHolder, "/health/*");
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                resp.setContentType("application/json");
                resp.getOutputStream().write("{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
            }
        }), "/api/feedback");
        context.addFilter(new FilterHolder(new MaintenanceFilter(maintenance, Duration.ofSeconds(120),
                List.of("/health"))), "/*", EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
        server.setHandler(context);
        server.start();
        try {
            String base = "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/app";
            assertThat(send(base + "/api/feedback", "POST").statusCode()).isEqualTo(200);

            maintenance.set(true);

            HttpResponse<String> refused = send(base + "/api/feedback", "POST");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("120");
            assertThat(JSON.readTree(refused.body()).path("retryAfterSeconds").asInt()).isEqualTo(120);
            assertThat(send(base + "/health/live", "GET").statusCode()).isEqualTo(200);
        } finally {
            server.stop();
        }
    }

    @Test
    void filter_invalidSettings_messagesNameFieldAndValue() {
        assertThatThrownBy(() -> maintenance.filter(Duration.ZERO, List.of("/health")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryAfter must be between 1 s and 1 day: PT0S");
        assertThatThrownBy(() -> maintenance.filter(Duration.ofSeconds(30), List.of("health/")))
                .hasMessage("passPaths must start with '/' and not end with '/': 'health/'");
    }

    private static void reply(com.sun.net.httpserver.HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
