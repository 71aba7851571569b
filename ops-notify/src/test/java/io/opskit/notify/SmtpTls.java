package io.opskit.notify;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for 127.0.0.1 made with the JDK's keytool, installed as GreenMail's TLS
 * key (GreenMail reads it once per JVM), a server SSLContext holding its key (for the STARTTLS server)
 * and a client SSLContext that trusts exactly that certificate.
 */
final class SmtpTls {

    static final String PASSWORD = "changeit";
    private static Path keystore;

    private SmtpTls() {
    }

    /** Creates the key store (once) and points GreenMail at it; call before any GreenMail TLS server starts. */
    static synchronized Path install() throws IOException, InterruptedException {
        if (keystore != null) {
            return keystore;
        }
        Path dir = Files.createTempDirectory("opskit-notify-tls");
        Path file = dir.resolve("smtp.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "smtp", "-keyalg", "RSA",
                "-keysize", "2048", "-validity", "30", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        System.setProperty("greenmail.tls.keystore.file", file.toString());
        System.setProperty("greenmail.tls.keystore.password", PASSWORD);
        System.setProperty("greenmail.tls.key.password", PASSWORD);
        keystore = file;
        return file;
    }

    private static KeyStore keys() throws IOException, GeneralSecurityException, InterruptedException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(install())) {
            keys.load(in, PASSWORD.toCharArray());
        }
        return keys;
    }

    /** A server-side TLS context presenting the test certificate. */
    static SSLContext serverContext() throws IOException, GeneralSecurityException, InterruptedException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys(), PASSWORD.toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /** A TLS context trusting only the test certificate. */
    static SSLContext trustingTestCertificate() throws IOException, GeneralSecurityException, InterruptedException {
        KeyStore keys = keys();
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("smtp", keys.getCertificate("smtp"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
