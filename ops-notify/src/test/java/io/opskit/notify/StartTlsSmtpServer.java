package io.opskit.notify;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A real SMTP server (SubEthaSMTP) on loopback that can offer STARTTLS, with AUTH PLAIN/LOGIN for one
 * user, behind a wire tap that records every byte the client sent. It records each received message
 * and each login together with whether its session was on TLS at that moment, as the server saw it.
 */
final class StartTlsSmtpServer implements AutoCloseable {

    /** What the server offers. */
    enum Tls {
        /** No STARTTLS; AUTH is offered in the clear (a client must not use it when it requires STARTTLS). */
        NOT_OFFERED,
        /** STARTTLS offered; AUTH offered before it too, so a careless client could log in in the clear. */
        OFFERED,
        /** STARTTLS offered and required: MAIL and AUTH are refused before the upgrade. */
        REQUIRED
    }

    /** A message the server accepted; {@code tlsProtocol} is empty when the session was not on TLS. */
    record Received(String from, String to, boolean tls, String tlsProtocol, byte[] raw) {
        MimeMessage message() throws MessagingException {
            return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        }
    }

    /** A login attempt the server saw. */
    record Login(String user, boolean tls) {
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    final List<Login> logins = new CopyOnWriteArrayList<>();
    private final SMTPServer server;
    private final WireTap tap;

    StartTlsSmtpServer(Tls tls, SSLContext serverContext, String user, String password) throws IOException {
        SMTPServer.Builder b = SMTPServer.port(0).bindAddress(InetAddress.getLoopbackAddress())
                .hostName("starttls.test")
                .messageHandler((MessageContext ctx, String from, String to, byte[] data) -> {
                    Socket s = ((org.subethamail.smtp.server.Session) ctx).getSocket();
                    String protocol = s instanceof SSLSocket ssl ? ssl.getSession().getProtocol() : "";
                    received.add(new Received(from, to, s instanceof SSLSocket, protocol, data));
                })
                .authenticationHandlerFactory(new EasyAuthenticationHandlerFactory((u, p, ctx) -> {
                    logins.add(new Login(u, ((org.subethamail.smtp.server.Session) ctx).isTLSStarted()));
                    if (!u.equals(user) || !p.equals(password)) {
                        throw new LoginFailedException();
                    }
                }));
        if (tls != Tls.NOT_OFFERED) {
            b.enableTLS().startTlsSocketFactory(serverContext);
        }
        if (tls == Tls.REQUIRED) {
            b.requireTLS();
        }
        if (tls == Tls.OFFERED) {
            b.showAuthCapabilitiesBeforeSTARTTLS(true);
        }
        server = b.build();
        server.start();
        tap = new WireTap(server.getPortAllocated());
    }

    /** The port clients connect to (the tap's). */
    int port() {
        return tap.socket.getLocalPort();
    }

    /** Every byte clients sent, as ISO-8859-1 text (TLS records show as noise). */
    String clientBytes() {
        synchronized (tap.fromClients) {
            return tap.fromClients.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public void close() throws IOException {
        tap.socket.close();
        server.stop();
    }

    /** A loopback TCP proxy in front of the server that keeps a copy of what clients send. */
    private static final class WireTap {
        final ServerSocket socket;
        final ByteArrayOutputStream fromClients = new ByteArrayOutputStream();

        WireTap(int upstreamPort) throws IOException {
            socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket client = socket.accept();
                        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                        pump(client.getInputStream(), upstream.getOutputStream(), true, client, upstream);
                        pump(upstream.getInputStream(), client.getOutputStream(), false, client, upstream);
                    } catch (IOException e) {
                        // closed
                    }
                }
            }, "smtp-wire-tap");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void pump(InputStream in, OutputStream out, boolean record, Socket a, Socket b) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        if (record) {
                            synchronized (fromClients) {
                                fromClients.write(buf, 0, n);
                            }
                        }
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    // one side hung up
                } finally {
                    closeQuietly(a);
                    closeQuietly(b);
                }
            }, "smtp-wire-tap-pump");
            t.setDaemon(true);
            t.start();
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
