package io.opskit.backup.internal;

import io.opskit.api.backup.BackupSource;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * A Redis server's whole data set as one RDB snapshot, taken online over the replication protocol
 * as {@code redis-cli --rdb} does: the source connects as a replica that wants only the snapshot
 * ({@code REPLCONF capa eof}, {@code REPLCONF rdb-only 1}, {@code SYNC}) and copies the RDB stream the
 * server sends. Nothing is read from the server's disk and nothing needs to be written there: with
 * {@code repl-diskless-sync yes} (the default since Redis 7) the server streams from memory, after
 * waiting {@code repl-diskless-sync-delay} (5 s by default) for other replicas to join. The password,
 * when there is one, goes over the socket in {@code AUTH}, never into a process's arguments or a
 * message. Plain TCP only. One snapshot at a time per instance.
 */
public final class RedisSource implements BackupSource {

    /** The source kind recorded in manifests. */
    public static final String KIND = "redis";

    private static final int MARK = 40;

    private final String name;
    private final String host;
    private final int port;
    private final Optional<String> user;
    private final Optional<String> password;
    private final Duration timeout;

    /**
     * A source.
     *
     * @param name     the source's name
     * @param host     the server's host
     * @param port     its port
     * @param user     an ACL user, when the password is not the default user's
     * @param password the password, when the server asks for one
     * @param timeout  the longest wait for the server's next byte (a snapshot of a large data set
     *                 takes a while to start)
     */
    public RedisSource(String name, String host, int port, Optional<String> user, Optional<String> password,
                       Duration timeout) {
        this.name = name;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** The server, for messages. */
    public String describe() {
        return "redis://" + host + ":" + port;
    }

    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        try (Socket socket = new Socket()) {
            int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            socket.connect(new InetSocketAddress(host, port), millis);
            socket.setSoTimeout(millis);
            OutputStream to = socket.getOutputStream();
            InputStream from = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            if (password.isPresent()) {
                String[] auth = user.isPresent() ? new String[] {"AUTH", user.get(), password.get()}
                        : new String[] {"AUTH", password.get()};
                send(to, auth);
                String reply = line(from);
                if (!reply.startsWith("+")) {
                    throw new IOException("Redis at " + describe() + " refused the credentials (" + firstWord(reply) + ")");
                }
            }
            send(to, "REPLCONF", "capa", "eof");
            expectOk(from, "REPLCONF capa eof");
            send(to, "REPLCONF", "rdb-only", "1");
            line(from); // an older server does not know rdb-only: it then streams commands after the RDB, which we do not read
            send(to, "SYNC");
            String header;
            do {
                header = line(from); // the server sends empty lines while it prepares the snapshot
            } while (header.isEmpty());
            if (header.startsWith("-")) {
                throw new IOException("Redis at " + describe() + " refused the snapshot: " + header.substring(1));
            }
            if (!header.startsWith("$")) {
                throw new IOException("Redis at " + describe() + " answered SYNC with an unexpected line: "
                        + io.opskit.api.Redactor.redact(header, 80));
            }
            if (header.startsWith("$EOF:")) {
                byte[] mark = header.substring(5).getBytes(StandardCharsets.US_ASCII);
                if (mark.length != MARK) {
                    throw new IOException("Redis at " + describe() + " sent an end mark of " + mark.length
                            + " bytes; expected " + MARK);
                }
                copyUntilMark(from, out, mark);
            } else {
                long length;
                try {
                    length = Long.parseLong(header.substring(1));
                } catch (NumberFormatException e) {
                    throw new IOException("Redis at " + describe() + " sent a snapshot length that is not a number");
                }
                copyExactly(from, out, length);
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("Redis at " + describe() + " sent nothing for " + timeout.toSeconds()
                    + " s while the snapshot was taken; raise the timeout for a large data set", e);
        }
    }

    private static void copyExactly(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException("the Redis snapshot ended " + left + " bytes short of its announced " + length);
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    /**
     * Copies everything up to the 40-byte end mark, which is not copied; whatever follows the mark
     * in the same read (the replication stream of a server that ignores {@code rdb-only}) is not
     * copied either.
     */
    static void copyUntilMark(InputStream in, OutputStream out, byte[] mark) throws IOException {
        byte[] buffer = new byte[(1 << 16) + MARK];
        int held = 0; // bytes at the start of buffer not yet written: the last MARK - 1 could start the mark
        while (true) {
            int n = in.read(buffer, held, buffer.length - held);
            if (n < 0) {
                throw new EOFException("the Redis snapshot stream ended before its end mark");
            }
            int searchFrom = Math.max(0, held - (MARK - 1));
            held += n;
            int at = indexOf(buffer, held, mark, searchFrom);
            if (at >= 0) {
                out.write(buffer, 0, at);
                return;
            }
            if (held >= MARK) {
                int keep = MARK - 1;
                out.write(buffer, 0, held - keep);
                System.arraycopy(buffer, held - keep, buffer, 0, keep);
                held = keep;
            }
        }
    }

    /** The first index at or after {@code from} where {@code mark} starts within {@code buffer[0, length)}, or -1. */
    private static int indexOf(byte[] buffer, int length, byte[] mark, int from) {
        for (int i = from; i + mark.length <= length; i++) {
            if (buffer[i] == mark[0] && Arrays.equals(buffer, i, i + mark.length, mark, 0, mark.length)) {
                return i;
            }
        }
        return -1;
    }

    private static void send(OutputStream out, String... args) throws IOException {
        ByteArrayOutputStream command = new ByteArrayOutputStream();
        command.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            command.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            command.writeBytes(bytes);
            command.writeBytes(new byte[] {'\r', '\n'});
        }
        out.write(command.toByteArray());
        out.flush();
    }

    private void expectOk(InputStream in, String what) throws IOException {
        String reply = line(in);
        if (!reply.startsWith("+")) {
            throw new IOException("Redis at " + describe() + " refused " + what + ": " + reply.replaceFirst("^-", ""));
        }
    }

    /** One reply line without its line end; a bare {@code \n} (a keep-alive) reads as an empty line. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the Redis server closed the connection");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.UTF_8);
            }
            if (line.size() > 4096) {
                throw new IOException("the Redis server sent a reply line longer than 4 KiB");
            }
            line.write(b);
        }
    }

    private static String firstWord(String reply) {
        String r = reply.startsWith("-") ? reply.substring(1) : reply;
        int space = r.indexOf(' ');
        return space < 0 ? r : r.substring(0, space);
    }
}
