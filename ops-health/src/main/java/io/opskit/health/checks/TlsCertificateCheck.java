package io.opskit.health.checks;

import io.opskit.api.Threshold;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.health.internal.Failures;
import io.opskit.health.internal.Levels;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Days until the TLS certificate served at host:port expires. Connects, completes a handshake
 * (trust and host name verified, with the JVM's trust store or a given {@link SSLContext}) and
 * reads the leaf certificate's {@code notAfter}. The default threshold is on days left: warning
 * below 30, critical below 7 (critical is {@code DOWN}); an expired or untrusted certificate is
 * {@code DOWN}. Message: {@code 42 days left (expires 2026-01-01T00:00:00Z)}. Immutable and
 * thread-safe.
 */
public final class TlsCertificateCheck implements HealthCheck {

    private final String host;
    private final int port;
    private final Duration timeout;
    private final Threshold daysLeft;
    private final Clock clock;
    private final SSLContext sslContext;

    private TlsCertificateCheck(String host, int port, Duration timeout, Threshold daysLeft, Clock clock,
                                SSLContext sslContext) {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
        this.daysLeft = daysLeft;
        this.clock = clock;
        this.sslContext = sslContext;
    }

    /**
     * A check of {@code host:port} with the JVM's default trust, a 5 s timeout, threshold 30 / 7 days.
     *
     * @throws IllegalArgumentException when the host is blank or the port is not 1-65535
     * @throws IllegalStateException    when the JVM has no default TLS context
     */
    public static TlsCertificateCheck of(String host, int port) {
        try {
            return new TlsCertificateCheck(TcpConnectCheck.Endpoints.host(host), TcpConnectCheck.Endpoints.port(port),
                    Duration.ofSeconds(5), Threshold.below(30, 7), Clock.systemUTC(), SSLContext.getDefault());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no default TLS context: " + e.getMessage(), e);
        }
    }

    /** A copy that trusts what {@code context} trusts (for a private CA). */
    public TlsCertificateCheck withSslContext(SSLContext context) {
        return new TlsCertificateCheck(host, port, timeout, daysLeft, clock,
                Objects.requireNonNull(context, "sslContext"));
    }

    /**
     * A copy with another threshold on days left.
     *
     * @throws IllegalArgumentException when the direction is not BELOW
     */
    public TlsCertificateCheck withDaysLeftThreshold(Threshold threshold) {
        Objects.requireNonNull(threshold, "threshold");
        if (threshold.direction() != Threshold.Direction.BELOW) {
            throw new IllegalArgumentException("threshold must have direction BELOW: " + threshold.direction());
        }
        return new TlsCertificateCheck(host, port, timeout, threshold, clock, sslContext);
    }

    /**
     * A copy with another timeout for connecting and the handshake.
     *
     * @throws IllegalArgumentException when not positive
     */
    public TlsCertificateCheck withTimeout(Duration value) {
        return new TlsCertificateCheck(host, port, TcpConnectCheck.Endpoints.timeout(value), daysLeft, clock,
                sslContext);
    }

    /** A copy that measures days left against {@code value} (for tests and reports). */
    public TlsCertificateCheck withClock(Clock value) {
        return new TlsCertificateCheck(host, port, timeout, daysLeft, Objects.requireNonNull(value, "clock"),
                sslContext);
    }

    /** Connects and reads the certificate; never throws. */
    @Override
    public HealthResult check() {
        try (SSLSocket socket = (SSLSocket) sslContext.getSocketFactory().createSocket()) {
            int millis = (int) timeout.toMillis();
            socket.connect(new InetSocketAddress(host, port), millis);
            socket.setSoTimeout(millis);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            if (!Character.isDigit(host.charAt(0)) && !host.contains(":")) {
                parameters.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName(host)));
            }
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            Certificate[] chain = socket.getSession().getPeerCertificates();
            X509Certificate leaf = (X509Certificate) chain[0];
            Instant notAfter = leaf.getNotAfter().toInstant();
            long days = Duration.between(clock.instant(), notAfter).toDays();
            boolean expired = clock.instant().isAfter(notAfter);
            Threshold.Level level = expired ? Threshold.Level.CRITICAL : daysLeft.evaluate(days);
            return HealthResult.builder(Levels.status(level))
                    .message(expired ? "certificate expired at " + notAfter
                            : days + " days left (expires " + notAfter + ")")
                    .detail("host", host).detail("port", port).detail("daysLeft", days)
                    .detail("notAfter", notAfter.toString())
                    .detail("subject", leaf.getSubjectX500Principal().getName()).detail("level", level.name())
                    .build();
        } catch (IOException e) {
            return HealthResult.builder(HealthStatus.DOWN).message("TLS handshake failed: " + Failures.describe(e))
                    .detail("host", host).detail("port", port).detail("error", e.getClass().getName()).build();
        }
    }
}
