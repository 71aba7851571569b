package io.opskit.health.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NetworkChecksTest {

    @Test
    void smtp_realGreenMailServer_up() {
        GreenMail mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        mail.start();
        try {
            HealthResult result = SmtpCheck.of("127.0.0.1", mail.getSmtp().getPort()).check();

            assertThat(result.status()).isEqualTo(HealthStatus.UP);
            assertThat(result.message().orElseThrow()).isEqualTo("SMTP connection active");
        } finally {
            mail.stop();
        }
    }

    @Test
    void smtp_serverRefusingService_downNamingTheStep() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> {
                try (Socket client = server.accept(); OutputStream out = client.getOutputStream()) {
                    out.write("554 no SMTP service here\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    client.getInputStream().read();
                } catch (Exception ignored) {
                    // the check closed the connection
                }
            });
            answer.start();

            HealthResult result = SmtpCheck.of("127.0.0.1", server.getLocalPort()).check();

            assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(result.message().orElseThrow()).isEqualTo("SMTP greeting answered 554");
            answer.join(5_000);
        }
    }

    @Test
    void smtp_nothingListening_downAtConnect() throws Exception {
        HealthResult result = SmtpCheck.of("127.0.0.1", Services.closedPort())
                .withTimeout(Duration.ofSeconds(2)).check();

        assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(result.message().orElseThrow()).startsWith("SMTP connect failed: ConnectException");
    }

    @Test
    void http_realLoopbackServer_upOnExpectedStatusDownOtherwise() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext("/broken", exchange -> {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();

            HealthResult ok = HttpEndpointCheck.of(URI.create(base + "/ok?token=abc")).check();
            HealthResult broken = HttpEndpointCheck.of(URI.create(base + "/broken")).check();
            HealthResult expected500 = HttpEndpointCheck.of(URI.create(base + "/broken")).withExpectedStatus(500).check();

            assertThat(ok.status()).isEqualTo(HealthStatus.UP);
            assertThat(ok.details()).containsEntry("statusCode", 200).containsEntry("url", base + "/ok");
            assertThat(broken.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(broken.message().orElseThrow()).isEqualTo("HTTP 500, expected 2xx");
            assertThat(expected500.status()).isEqualTo(HealthStatus.UP);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void http_nothingListening_downWithoutUserInfo() throws Exception {
        int port = Services.closedPort();
        HealthResult result = HttpEndpointCheck.of(URI.create("http://admin:pw123@127.0.0.1:" + port + "/health"))
                .withTimeout(Duration.ofSeconds(2)).check();

        assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(result.details()).containsEntry("url", "http://127.0.0.1:" + port + "/health");
        assertThat(result.toString()).doesNotContain("pw123");
    }

    @Test
    void http_invalidSettings_messagesNameFieldAndValue() {
        assertThatThrownBy(() -> HttpEndpointCheck.of(URI.create("ftp://example.org/")))
                .hasMessage("uri must be http or https: ftp://example.org/");
        assertThatThrownBy(() -> HttpEndpointCheck.of(URI.create("http://127.0.0.1/")).withExpectedStatus(42))
                .hasMessage("expectedStatus must be between 100 and 599: 42");
        assertThatThrownBy(() -> TcpConnectCheck.of("127.0.0.1", 0)).hasMessage("port must be between 1 and 65535: 0");
        assertThatThrownBy(() -> SmtpCheck.of(" ", 25)).hasMessage("host must not be blank: ' '");
    }

    @Test
    void tcp_listeningAndClosedPorts_upAndDown() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            HealthResult up = TcpConnectCheck.of("127.0.0.1", server.getLocalPort()).check();
            assertThat(up.status()).isEqualTo(HealthStatus.UP);
            assertThat(up.message().orElseThrow()).startsWith("connected in ");
        }
        int closed = Services.closedPort();
        HealthResult down = TcpConnectCheck.of("127.0.0.1", closed).withTimeout(Duration.ofSeconds(2)).check();
        assertThat(down.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(down.message().orElseThrow()).startsWith("cannot connect to 127.0.0.1:" + closed);
    }
}
