package io.opskit.health.checks;

import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.health.internal.Failures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An SMTP conversation without sending mail: reads the greeting (220), says {@code EHLO} (250)
 * and {@code QUIT} (221), each within the timeout (default 5 s). {@code UP} when all three answer
 * as expected; {@code DOWN} naming the step otherwise. Plain SMTP only (no STARTTLS, no login), so
 * no credential is ever needed. Written on a socket because the JDK has no SMTP client and a mail
 * library would be a heavy dependency for three commands. Immutable and thread-safe.
 */
public final class SmtpCheck implements HealthCheck {

    private final String host;
    private final int port;
    private final Duration timeout;
    private final String heloName;

    private SmtpCheck(String host, int port, Duration timeout, String heloName) {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
        this.heloName = heloName;
    }

    /**
     * A check of the SMTP server at {@code host:port}, 5 s timeout, introducing itself as {@code opskit}.
     *
     * @throws IllegalArgumentException when the host is blank or the port is not 1-65535
     */
    public static SmtpCheck of(String host, int port) {
        return new SmtpCheck(TcpConnectCheck.Endpoints.host(host), TcpConnectCheck.Endpoints.port(port),
                Duration.ofSeconds(5), "opskit");
    }

    /**
     * A copy with another timeout for connecting and for each reply.
     *
     * @throws IllegalArgumentException when not positive
     */
    public SmtpCheck withTimeout(Duration value) {
        return new SmtpCheck(host, port, TcpConnectCheck.Endpoints.timeout(value), heloName);
    }

    /** Talks to the server; never throws. */
    @Override
    public HealthResult check() {
        long start = System.nanoTime();
        String step = "connect";
        try (Socket socket = new Socket()) {
            int millis = (int) timeout.toMillis();
            socket.connect(new InetSocketAddress(host, port), millis);
            socket.setSoTimeout(millis);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            step = "greeting";
            int greeting = reply(in);
            if (greeting != 220) {
                return down(step, greeting);
            }
            step = "EHLO";
            out.write(("EHLO " + heloName + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int ehlo = reply(in);
            if (ehlo != 250) {
                return down(step, ehlo);
            }
            step = "QUIT";
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int quit = reply(in);
            if (quit != 221) {
                return down(step, quit);
            }
            long took = (System.nanoTime() - start) / 1_000_000;
            return HealthResult.builder(HealthStatus.UP).message("SMTP connection active")
                    .detail("host", host).detail("port", port).detail("responseMs", took).build();
        } catch (IOException e) {
            return HealthResult.builder(HealthStatus.DOWN)
                    .message("SMTP " + step + " failed: " + Failures.describe(e))
                    .detail("host", host).detail("port", port).detail("step", step)
                    .detail("error", e.getClass().getName()).build();
        }
    }

    private HealthResult down(String step, int code) {
        return HealthResult.builder(HealthStatus.DOWN)
                .message("SMTP " + step + " answered " + code)
                .detail("host", host).detail("port", port).detail("step", step).detail("replyCode", code).build();
    }

    /** Reads one (possibly multi-line) reply and returns its code; -1 when malformed. */
    private static int reply(BufferedReader in) throws IOException {
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed by the server");
            }
            if (line.length() < 3) {
                return -1;
            }
            int code;
            try {
                code = Integer.parseInt(line.substring(0, 3));
            } catch (NumberFormatException e) {
                return -1;
            }
            if (line.length() == 3 || line.charAt(3) != '-') {
                return code;
            }
        }
    }
}
