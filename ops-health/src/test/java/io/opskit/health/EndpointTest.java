package io.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.Probe;
import io.opskit.health.checks.MaintenanceMode;
import io.opskit.health.servlet.HealthServlet;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final MaintenanceMode maintenance = MaintenanceMode.off();
    private OpsHealth health;
    private HealthEndpoint endpoint;

    @BeforeEach
    void setUp() {
        health = OpsHealth.builder()
                .register("ping", HealthResult::up, CheckOptions.defaults().inGroups(Probe.LIVENESS, Probe.READINESS))
                .register("maintenance", maintenance, MaintenanceMode.options())
                .build();
        endpoint = HealthEndpoint.builder(health)
                .details(DetailsPolicy.whenAuthorized("Bearer s3cret"::equals))
                .build();
    }

    @AfterEach
    void tearDown() {
        health.close();
    }

    @Test
    void handle_neutralEndpoint_mapsPathsAndDetails() throws Exception {
        HealthResponse anonymous = endpoint.handle("/health/ready", null);
        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(anonymous.contentType()).isEqualTo("application/json");
        assertThat(anonymous.bodyText()).isEqualTo("{\"status\":\"UP\"}");

        HealthResponse admin = endpoint.handle("/health/ready/", "Bearer s3cret");
        assertThat(JSON.readTree(admin.body()).path("checks").path("maintenance").path("status").asText())
                .isEqualTo("UP");

        assertThat(endpoint.handle("/health/nope", null).status()).isEqualTo(404);
        assertThat(endpoint.handle("/other", null).status()).isEqualTo(404);
    }

    @Test
    void handle_microProfileFormatAlwaysDetailed_listsChecksAsArray() throws Exception {
        HealthEndpoint microProfile = HealthEndpoint.builder(health).basePath("/q/health")
                .format(HealthFormat.MICROPROFILE).details(DetailsPolicy.always()).build();
        maintenance.set(true);

        HealthResponse ready = microProfile.handle("/q/health/ready", null);

        assertThat(ready.status()).isEqualTo(503);
        JsonNode body = JSON.readTree(ready.body());
        assertThat(body.path("status").asText()).isEqualTo("DOWN");
        assertThat(body.path("checks")).hasSize(2);
        assertThat(body.path("checks").get(1).path("name").asText()).isEqualTo("maintenance");
        assertThat(body.path("checks").get(1).path("data").path("status").asText()).isEqualTo("OUT_OF_SERVICE");
        assertThat(microProfile.handle("/health/ready", null).status()).isEqualTo(404);
    }

    @Test
    void maintenanceOn_readinessOutOfService503_livenessStaysUp() throws Exception {
        maintenance.set(true);

        HealthResponse ready = endpoint.handle("/health/ready", "Bearer s3cret");
        assertThat(ready.status()).isEqualTo(503);
        JsonNode body = JSON.readTree(ready.body());
        assertThat(body.path("status").asText()).isEqualTo("OUT_OF_SERVICE");
        assertThat(body.path("checks").path("maintenance").path("message").asText()).isEqualTo("maintenance mode is on");
        assertThat(endpoint.handle("/health/live", null).status()).isEqualTo(200);
    }

    @Test
    void jdkHttpServer_servesGroupsWithDetailsOnlyForAuthorizedCallers() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health", new HealthHttpHandler(endpoint));
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            HttpResponse<String> anonymous = get(base + "/health/live", null);
            assertThat(anonymous.statusCode()).isEqualTo(200);
            assertThat(anonymous.body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(anonymous.headers().firstValue("Cache-Control")).hasValue("no-store");

            HttpResponse<String> admin = get(base + "/health", "Bearer s3cret");
            assertThat(JSON.readTree(admin.body()).path("checks").has("ping")).isTrue();

            maintenance.set(true);
            assertThat(get(base + "/health/ready", null).statusCode()).isEqualTo(503);

            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/health"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(get(base + "/health/unknown", null).statusCode()).isEqualTo(404);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void jettyServlet_servesGroupsWithDetailsOnlyForAuthorizedCallers() throws Exception {
        Server server = new Server(new InetSocketAddress("127.0.0.1", 0));
        ServletContextHandler context = new ServletContextHandler("/app");
        ServletHolder holder = new ServletHolder(new HealthServlet(endpoint));
        context.addServlet(holder, "/health");
        context.addServlet(holder, "/health/*");
        server.setHandler(context);
        server.start();
        try {
            String base = "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/app";
            HttpResponse<String> anonymous = get(base + "/health/ready", null);
            assertThat(anonymous.statusCode()).isEqualTo(200);
            assertThat(anonymous.body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(anonymous.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));

            HttpResponse<String> admin = get(base + "/health", "Bearer s3cret");
            assertThat(JSON.readTree(admin.body()).path("checks").path("ping").path("status").asText())
                    .isEqualTo("UP");

            maintenance.set(true);
            assertThat(get(base + "/health/ready", null).statusCode()).isEqualTo(503);
            assertThat(get(base + "/health/live", null).statusCode()).isEqualTo(200);
            assertThat(get(base + "/health/unknown", null).statusCode()).isEqualTo(404);
        } finally {
            server.stop();
        }
    }

    private HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
