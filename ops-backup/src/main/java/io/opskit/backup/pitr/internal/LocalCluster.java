package io.opskit.backup.pitr.internal;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL server of our own on a data directory: started with {@code pg_ctl} on a free port,
 * reachable only through a socket in its own directory, queried with {@code psql}, stopped. Used by
 * the level-3 check of base backups (and by tests). Not thread-safe.
 */
public final class LocalCluster implements AutoCloseable {

    private final Path dataDir;
    private final Path socketDir;
    private final int port;
    private boolean running;

    private LocalCluster(Path dataDir, Path socketDir, int port) {
        this.dataDir = dataDir;
        this.socketDir = socketDir;
        this.port = port;
    }

    /** A free loopback TCP port. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The user server processes run as and files must belong to, or null when that is this JVM's user. */
    public static @Nullable UserPrincipal serverOwner() throws IOException {
        if (!PgBinaries.runningAsRoot()) {
            return null;
        }
        return java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
    }

    /**
     * Starts a server on {@code dataDir} and waits until it accepts connections (for a restored
     * base backup: until it has replayed to consistency and finished recovery).
     *
     * @param settings extra {@code -c name=value} settings
     */
    public static LocalCluster start(Path dataDir, Path socketDir, List<String> settings, boolean tcp) throws IOException {
        int port = freePort();
        LocalCluster c = new LocalCluster(dataDir, socketDir, port);
        StringBuilder options = new StringBuilder("-c port=" + port + " -c unix_socket_directories=" + socketDir
                + " -c listen_addresses=" + (tcp ? "127.0.0.1" : "''"));
        for (String s : settings) {
            options.append(" -c ").append(s);
        }
        List<String> cmd = new ArrayList<>(List.of(PgBinaries.tool("pg_ctl"), "-D", dataDir.toString(), "-w", "-t", "120",
                "-l", socketDir.resolve("server.log").toString(), "-o", options.toString(), "start"));
        c.running = true;
        try {
            run(PgBinaries.asServerUser(cmd), 150);
        } catch (IOException e) {
            String log = "";
            try {
                List<String> lines = Files.readAllLines(socketDir.resolve("server.log"));
                log = String.join(" | ", lines.subList(Math.max(0, lines.size() - 4), lines.size()));
            } catch (IOException ignored) {
                // no log
            }
            c.close();
            throw new IOException(e.getMessage() + (log.isEmpty() ? "" : "; server log: " + log), e);
        }
        return c;
    }

    /** The port (also the socket's name). */
    public int port() {
        return port;
    }

    /** The socket directory. */
    public Path socketDir() {
        return socketDir;
    }

    /** A JDBC URL reaching the server over TCP on loopback (when started with tcp). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    /** Runs one SQL statement with {@code psql} as {@code user} and returns its unaligned output. */
    public String query(String user, String database, String sql) throws IOException {
        List<String> cmd = List.of(PgBinaries.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDir.toString(),
                "-p", Integer.toString(port), "-U", user, "-d", database, "-Atc", sql);
        return run(PgBinaries.asServerUser(cmd), 60).strip();
    }

    /** Stops the server at once ({@code immediate}); idempotent. */
    @Override
    public void close() throws IOException {
        if (!running) {
            return;
        }
        running = false;
        run(PgBinaries.asServerUser(List.of(PgBinaries.tool("pg_ctl"), "-D", dataDir.toString(), "-m", "immediate",
                "-w", "-t", "60", "stop")), 90, true);
    }

    static String run(List<String> cmd, long timeoutSeconds) throws IOException {
        return run(cmd, timeoutSeconds, false);
    }

    static String run(List<String> cmd, long timeoutSeconds, boolean quiet) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out;
        try {
            out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd.get(cmd.indexOf("--") + 1) + " timed out");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0 && !quiet) {
            String tool = Path.of(cmd.get(cmd.contains("--") ? cmd.indexOf("--") + 1 : 0)).getFileName().toString();
            throw new IOException(tool + " failed (exit " + p.exitValue() + "): " + text.strip().replaceAll("\\R", " | "));
        }
        return text;
    }
}
