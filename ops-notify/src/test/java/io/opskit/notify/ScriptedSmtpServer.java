package io.opskit.notify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback SMTP server that accepts the greeting, EHLO and MAIL FROM, then answers RCPT TO with a
 * chosen reply: a server that defers (451) or refuses (550) mail.
 */
final class ScriptedSmtpServer implements AutoCloseable {

    private final ServerSocket socket;
    private final Thread thread;
    final AtomicInteger sessions = new AtomicInteger();

    ScriptedSmtpServer(String rcptReply) throws IOException {
        socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        thread = new Thread(() -> {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    sessions.incrementAndGet();
                    serve(s, rcptReply);
                } catch (IOException e) {
                    // closed, or the client hung up
                }
            }
        }, "scripted-smtp");
        thread.setDaemon(true);
        thread.start();
    }

    private static void serve(Socket s, String rcptReply) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        OutputStream out = s.getOutputStream();
        write(out, "220 scripted.test ESMTP");
        String line;
        while ((line = in.readLine()) != null) {
            String cmd = line.toUpperCase();
            if (cmd.startsWith("EHLO") || cmd.startsWith("HELO")) {
                write(out, "250 scripted.test");
            } else if (cmd.startsWith("MAIL")) {
                write(out, "250 2.1.0 ok");
            } else if (cmd.startsWith("RCPT")) {
                write(out, rcptReply);
            } else if (cmd.startsWith("QUIT")) {
                write(out, "221 2.0.0 bye");
                return;
            } else {
                write(out, "503 5.5.1 bad sequence");
            }
        }
    }

    private static void write(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
