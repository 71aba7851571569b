package io.opskit.health.checks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The real services integration tests use. When one is unreachable: with CI=true the test fails
 * naming it; elsewhere it is skipped with the same message.
 */
final class Services {

    private Services() {
    }

    static void require(String name, int port) {
        boolean reachable;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            reachable = true;
        } catch (IOException e) {
            reachable = false;
        }
        String message = name + " is not reachable at 127.0.0.1:" + port + " (see SERVICES.md to start it)";
        if (!reachable) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(message);
            }
            Assumptions.assumeTrue(false, message);
        }
    }

    /** A loopback port nothing listens on (bound, then released). */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
