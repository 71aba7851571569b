package io.opskit.health.checks;

import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.health.internal.Failures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;

/**
 * Opens and closes a TCP connection to host:port within a connect timeout (default 3 s): {@code UP}
 * when it connects, {@code DOWN} with the reason otherwise. Immutable and thread-safe.
 */
public final class TcpConnectCheck implements HealthCheck {

    private final String host;
    private final int port;
    private final Duration timeout;

    private TcpConnectCheck(String host, int port, Duration timeout) {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
    }

    /**
     * A check of {@code host:port} with a 3 s connect timeout.
     *
     * @throws IllegalArgumentException when the host is blank or the port is not 1-65535
     */
    public static TcpConnectCheck of(String host, int port) {
        return new TcpConnectCheck(Endpoints.host(host), Endpoints.port(port), Duration.ofSeconds(3));
    }

    /**
     * A copy with another connect timeout.
     *
     * @throws IllegalArgumentException when not positive
     */
    public TcpConnectCheck withTimeout(Duration value) {
        return new TcpConnectCheck(host, port, Endpoints.timeout(value));
    }

    /** Connects; never throws. */
    @Override
    public HealthResult check() {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            long millis = (System.nanoTime() - start) / 1_000_000;
            return HealthResult.builder(HealthStatus.UP).message("connected in " + millis + " ms")
                    .detail("host", host).detail("port", port).detail("connectMs", millis).build();
        } catch (IOException e) {
            return HealthResult.builder(HealthStatus.DOWN)
                    .message("cannot connect to " + host + ":" + port + ": " + Failures.describe(e))
                    .detail("host", host).detail("port", port).detail("error", e.getClass().getName()).build();
        }
    }

    /** Shared argument checks of the network checks. */
    static final class Endpoints {
        private Endpoints() {
        }

        static String host(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank: '" + host + "'");
            }
            return host;
        }

        static int port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
            }
            return port;
        }

        static Duration timeout(Duration value) {
            Objects.requireNonNull(value, "timeout");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + value);
            }
            return value;
        }
    }
}
