package io.opskit.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL cluster of a test's own, for what the shared server cannot do (WAL archiving,
 * {@code shared_preload_libraries}, restarts): {@code initdb} into a temporary directory under
 * {@code /tmp} that the {@code postgres} user can reach, settings appended to
 * {@code postgresql.conf}, {@code pg_ctl start} on a free loopback port with its socket in that
 * directory. {@link #close()} stops it at once and deletes the directory.
 *
 * <p>The server binaries come from {@code OPSKIT_PG_BINDIR}, else {@code pg_config --bindir}, else
 * {@code /usr/lib/postgresql/15/bin}. A server refuses to run as root, so when the tests run as
 * root every server command runs as {@code postgres} (through {@code runuser}) and the files it
 * needs are given to that user. Not thread-safe.
 *
 * <pre>{@code
 * try (PgCluster pg = PgCluster.start("shared_preload_libraries=pg_stat_statements")) {
 *     try (Connection c = pg.connect()) { ... }
 * }
 * }</pre>
 */
public final class PgCluster implements AutoCloseable {

    private static final List<String> SERVER_BINARIES = List.of("initdb", "pg_ctl", "postgres");
    private static volatile @Nullable Path located;

    private final Path dir;
    private final Path data;
    private int port;
    private boolean running;

    private PgCluster(Path dir) {
        this.dir = dir;
        this.data = dir.resolve("data");
    }

    /** The directory holding the server binaries. */
    public static Path binDir() {
        Path found = located;
        if (found != null) {
            return found;
        }
        String env = System.getenv("OPSKIT_PG_BINDIR");
        if (env != null && !env.isBlank()) {
            found = Path.of(env);
        } else {
            found = pgConfigBinDir();
            if (found == null) {
                found = Path.of("/usr/lib/postgresql/15/bin");
            }
        }
        located = found;
        return found;
    }

    private static @Nullable Path pgConfigBinDir() {
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.isDirectory(Path.of(out))) {
                return Path.of(out);
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /**
     * Fails (under {@code CI=true}) or skips the calling test, naming the first missing server
     * binary ({@code initdb}, {@code pg_ctl}, {@code postgres}).
     */
    public static void requireServerBinaries() {
        requireServerBinaries(binDir());
    }

    static void requireServerBinaries(Path dir) {
        for (String name : SERVER_BINARIES) {
            Path binary = dir.resolve(name);
            Services.require("the PostgreSQL server binary " + binary + " (Debian package postgresql-15, or set OPSKIT_PG_BINDIR)",
                    () -> Files.isExecutable(binary));
        }
    }

    /** One server binary by name, as a command. */
    public static String tool(String name) {
        Path p = binDir().resolve(name);
        return Files.isExecutable(p) ? p.toString() : name;
    }

    /** Whether server commands must run as {@code postgres} (this JVM runs as root). */
    public static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** {@code command} prefixed to run as the server's user when needed. */
    public static List<String> asServerUser(List<String> command) {
        if (!runningAsRoot()) {
            return command;
        }
        List<String> full = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(command);
        return full;
    }

    /** The user server processes run as and their files must belong to; empty when that is this JVM's user. */
    public static Optional<UserPrincipal> serverOwner() throws IOException {
        if (!runningAsRoot()) {
            return Optional.empty();
        }
        return Optional.of(FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
    }

    /** Gives {@code path} to the server's user (a no-op unless running as root). */
    public static void own(Path path) throws IOException {
        Optional<UserPrincipal> owner = serverOwner();
        if (owner.isPresent()) {
            Files.setOwner(path, owner.get());
        }
    }

    /**
     * Creates the cluster's directory under {@code /tmp} (named {@code prefix} and a random part,
     * reachable by the server's user) with an empty {@code data} directory in it; nothing runs yet.
     */
    public static PgCluster create(String prefix) throws IOException {
        requireServerBinaries();
        Path dir = Files.createTempDirectory(Path.of("/tmp"), prefix);
        PgCluster c = new PgCluster(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            own(dir);
            Files.createDirectories(c.data);
            own(c.data);
            Files.setPosixFilePermissions(c.data, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * A new cluster (trust authentication, superuser {@code postgres}, no fsync) started with
     * {@code settings} ({@code name=value} each).
     */
    public static PgCluster start(String... settings) throws IOException {
        PgCluster c = create("opskit-pg-");
        try {
            c.initdb();
            c.startServer(settings);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Runs {@code initdb} (trust, user {@code postgres}, {@code --no-sync}) with {@code extraArgs}. */
    public PgCluster initdb(String... extraArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(tool("initdb"), "-D", data.toString(), "-A", "trust", "-U", "postgres",
                "--no-sync", "--no-instructions"));
        cmd.addAll(List.of(extraArgs));
        run(asServerUser(cmd), Duration.ofMinutes(2));
        return this;
    }

    /**
     * Appends {@code settings} ({@code name=value}, the value quoted for {@code postgresql.conf};
     * {@code fsync=off} always) and starts the server on a free loopback port, waiting until it
     * accepts connections.
     *
     * @throws IOException naming the tool and with the server log's last lines when it does not start
     */
    public PgCluster startServer(String... settings) throws IOException {
        StringBuilder conf = new StringBuilder("\nfsync = 'off'\n");
        for (String setting : settings) {
            int eq = setting.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("setting must be name=value: '" + setting + "'");
            }
            conf.append(setting, 0, eq).append(" = '").append(setting.substring(eq + 1).replace("'", "''")).append("'\n");
        }
        Files.writeString(data.resolve("postgresql.conf"), conf.toString(), StandardOpenOption.APPEND);
        port = freePort();
        String options = "-c port=" + port + " -c unix_socket_directories=" + dir + " -c listen_addresses=127.0.0.1";
        running = true;
        try {
            run(asServerUser(List.of(tool("pg_ctl"), "-D", data.toString(), "-w", "-t", "120",
                    "-l", dir.resolve("server.log").toString(), "-o", options, "start")), Duration.ofSeconds(150));
        } catch (IOException e) {
            running = false;
            throw new IOException(e.getMessage() + "; server log: " + logTail(), e);
        }
        return this;
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("server.log"));
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(none)";
        }
    }

    /** The cluster's directory (holds {@code data}, the socket and {@code server.log}). */
    public Path directory() {
        return dir;
    }

    /** The data directory. */
    public Path dataDir() {
        return data;
    }

    /** The TCP port on 127.0.0.1 (0 before the server started). */
    public int port() {
        return port;
    }

    /** A JDBC URL to {@code database} as {@code postgres} over loopback TCP. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    /** A connection to the {@code postgres} database. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl("postgres"));
    }

    /** Stops the server at once ({@code pg_ctl stop -m immediate}); idempotent. */
    public void stop() throws IOException {
        if (!running) {
            return;
        }
        running = false;
        run(asServerUser(List.of(tool("pg_ctl"), "-D", data.toString(), "-m", "immediate", "-w", "-t", "60", "stop")),
                Duration.ofSeconds(90));
    }

    /** Stops the server and deletes the directory. */
    @Override
    public void close() throws IOException {
        try {
            stop();
        } finally {
            deleteTree(dir);
        }
    }

    /** A free loopback TCP port. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Runs a command with its input from {@code /dev/null} and returns its output.
     *
     * @throws IOException naming the tool, its exit code and output when it fails or times out
     */
    public static String run(List<String> command, Duration timeout) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String tool = Path.of(command.get(command.contains("--") ? command.indexOf("--") + 1 : 0)).getFileName().toString();
        byte[] out;
        try {
            out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(tool + " timed out after " + timeout);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(tool + " interrupted", e);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(tool + " failed (exit " + p.exitValue() + "): " + text.strip().replaceAll("\\R", " | "));
        }
        return text;
    }

    /** Deletes a directory tree. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
