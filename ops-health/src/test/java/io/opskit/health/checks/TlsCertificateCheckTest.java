package io.opskit.health.checks;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.health.MutableClock;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TlsCertificateCheckTest {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private static SSLServerSocket server;
    private static Thread acceptor;
    private static SSLContext clientTrust;

    @BeforeAll
    static void startTlsServer() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        X500Name subject = new X500Name("CN=opskit-test");
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(42),
                Date.from(NOW.minus(Duration.ofDays(1))), Date.from(NOW.plus(Duration.ofDays(20))), subject,
                keys.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));

        char[] password = "changeit".toCharArray();
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("server", keys.getPrivate(), password, new X509Certificate[] {certificate});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, password);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);

        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("server", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore);
        clientTrust = SSLContext.getInstance("TLS");
        clientTrust.init(null, tmf.getTrustManagers(), null);

        server = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 10, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (SSLSocket client = (SSLSocket) server.accept()) {
                    client.setSoTimeout(1_000);
                    client.startHandshake();
                    client.getInputStream().read();
                } catch (Exception ignored) {
                    // handshake refused by an untrusting client, or the server closed
                }
            }
        }, "tls-test-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        acceptor.join(5_000);
    }

    @Test
    void check_certificateWith20DaysLeft_warnsAsDegraded() {
        HealthResult result = TlsCertificateCheck.of("127.0.0.1", server.getLocalPort())
                .withSslContext(clientTrust).check();

        assertThat(result.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(result.details()).containsEntry("daysLeft", 19L).containsEntry("level", "WARNING")
                .containsEntry("subject", "CN=opskit-test");
        assertThat(result.message().orElseThrow()).startsWith("19 days left (expires ");
    }

    @Test
    void check_clockFifteenDaysLater_criticalIsDown() {
        MutableClock clock = new MutableClock(NOW.plus(Duration.ofDays(15)));

        HealthResult result = TlsCertificateCheck.of("127.0.0.1", server.getLocalPort())
                .withSslContext(clientTrust).withClock(clock).check();

        assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(result.details()).containsEntry("daysLeft", 5L).containsEntry("level", "CRITICAL");
    }

    @Test
    void check_clockPastExpiry_downAsExpired() {
        MutableClock clock = new MutableClock(NOW.plus(Duration.ofDays(21)));

        HealthResult result = TlsCertificateCheck.of("127.0.0.1", server.getLocalPort())
                .withSslContext(clientTrust).withClock(clock).check();

        assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(result.message().orElseThrow()).startsWith("certificate expired at ");
    }

    @Test
    void check_untrustedCertificate_downWithHandshakeFailure() {
        HealthResult result = TlsCertificateCheck.of("127.0.0.1", server.getLocalPort()).check();

        assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(result.message().orElseThrow()).startsWith("TLS handshake failed: SSLHandshakeException");
    }
}
