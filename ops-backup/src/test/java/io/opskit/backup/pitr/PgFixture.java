package io.opskit.backup.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.backup.cli.BackupCli;
import io.opskit.backup.pitr.internal.LocalCluster;
import io.opskit.testsupport.PgCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A PostgreSQL 15 cluster of a test's own ({@link PgCluster}, 1 MiB WAL segments) with
 * {@code archive_command} set to the CLI's {@code wal-push} (run from a copy of the CLI's class path
 * that {@code postgres} can read), a repository and key file in the cluster's directory. Stopped and
 * deleted by {@link #close()}.
 */
final class PgFixture implements AutoCloseable {

    private static Path cliClassPath;

    final PgCluster cluster;
    final Path dir;
    final Path repo;
    final Path keyFile;
    final Path data;

    private PgFixture(PgCluster cluster) {
        this.cluster = cluster;
        this.dir = cluster.directory();
        this.repo = dir.resolve("repo");
        this.keyFile = dir.resolve("backup.key");
        this.data = cluster.dataDir();
    }

    /** A new cluster with archiving into a new repository, started. */
    static PgFixture start(String... extraSettings) throws Exception {
        PgFixture f = new PgFixture(PgCluster.create("opskit-pitr-"));
        try {
            f.init(extraSettings);
        } catch (Exception | Error e) {
            f.close();
            throw e;
        }
        return f;
    }

    private void init(String... extraSettings) throws Exception {
        Files.createDirectories(repo.resolve("wal/.tmp"));
        for (Path p : List.of(repo, repo.resolve("wal"), repo.resolve("wal/.tmp"))) {
            PgCluster.own(p);
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.write(keyFile, key);
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        PgCluster.own(keyFile);
        cluster.initdb("--wal-segsize=1");
        cluster.startServer(settings(extraSettings).toArray(String[]::new));
    }

    List<String> settings(String... extra) throws IOException {
        List<String> s = new ArrayList<>(List.of("archive_mode=on",
                "archive_command=" + cliCommand("wal-push --repo " + repo + " --key-file " + keyFile + " %p"),
                "max_wal_senders=4", "shared_buffers=16MB"));
        s.addAll(List.of(extra));
        return s;
    }

    /** pg_ctl -o passes options through a shell: the value goes in single quotes, '' for a quote. */
    static String quoteOption(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** A shell command running the CLI from a class path the postgres user can read. */
    static synchronized String cliCommand(String args) throws IOException {
        if (cliClassPath == null) {
            Path cp = Files.createTempDirectory(Path.of("/tmp"), "opskit-pitr-cli-");
            Files.setPosixFilePermissions(cp, PosixFilePermissions.fromString("rwxr-xr-x"));
            List<String> entries = new ArrayList<>();
            int i = 0;
            for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                if (!(e.contains("ops-backup") || e.contains("ops-api") || e.contains("jackson") || e.contains("zstd-jni")
                        || e.contains("picocli") || e.contains("slf4j-api") || e.contains("jspecify"))) {
                    continue;
                }
                if (e.contains("test-classes")) {
                    continue;
                }
                Path src = Path.of(e);
                Path dst = cp.resolve((i++) + "-" + src.getFileName());
                copyTree(src, dst);
                entries.add(dst.toString());
            }
            cliClassPath = cp;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    PgCluster.deleteTree(cp);
                } catch (IOException ignored) {
                    // temp
                }
            }));
            Files.writeString(cp.resolve("classpath"), String.join(":", entries));
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = Files.readString(cliClassPath.resolve("classpath"));
        return java + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp " + cp + " "
                + BackupCli.class.getName() + " " + args;
    }

    private static void copyTree(Path src, Path dst) throws IOException {
        try (Stream<Path> walk = Files.walk(src)) {
            for (Path p : walk.toList()) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
                Files.setPosixFilePermissions(t, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    String jdbcUrl() {
        return cluster.jdbcUrl("postgres");
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    String queryOne(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Switches to a new segment and returns the name of the one just finished. */
    String switchWal() throws SQLException {
        return queryOne("select pg_walfile_name(pg_switch_wal())");
    }

    /** Waits (bounded) until {@code segment} has been archived. */
    void awaitArchived(String segment) throws Exception {
        await(Duration.ofSeconds(90), () -> {
            try {
                String last = queryOne("select coalesce(last_archived_wal, '') from pg_stat_archiver");
                return last.length() >= 24 && last.substring(0, 24).compareTo(segment) >= 0;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, "segment " + segment + " archived");
    }

    /** Writes a row and switches, so every call finishes a non-empty segment; returns its name. */
    String writeAndSwitch() throws SQLException {
        execute("create table if not exists filler(x int); insert into filler values (1)");
        return switchWal();
    }

    static void await(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50); // polling an outside process, not letting time pass
        }
    }

    /** Runs the CLI in-process; returns exit code, stdout, stderr. */
    static Cli cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BackupCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    record Cli(int code, String out, String err) {
    }

    /** Takes a base backup through the CLI and returns its id. */
    String baseBackup(int verifyLevel) {
        Cli r = cli("backup", "--repo", repo.toString(), "--key-file", keyFile.toString(), "--verify-level",
                Integer.toString(verifyLevel), "--source", "pg-base:" + jdbcUrl());
        assertThat(r.code()).as(r.err()).isZero();
        String[] lines = r.out().strip().split("\\R");
        return lines[lines.length - 1];
    }

    /** Runs the CLI's restore of base backup {@code id} into {@code to}, replaying through this CLI's wal-fetch. */
    Cli restore(String id, Path to, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("restore", id, "--repo", repo.toString(), "--key-file", keyFile.toString(),
                "--to", to.toString(), "--restore-command",
                cliCommand("wal-fetch --repo " + repo + " --key-file " + keyFile + " %f %p")));
        args.addAll(List.of(options));
        return cli(args.toArray(String[]::new));
    }

    /** Waits (bounded) until a server started on a restored directory has finished recovery. */
    static void awaitPromoted(LocalCluster server) throws InterruptedException {
        await(Duration.ofSeconds(120), () -> {
            try {
                return "f".equals(server.query("postgres", "postgres", "select pg_is_in_recovery()"));
            } catch (IOException e) {
                return false;
            }
        }, "the restored server to promote");
    }

    /** A directory for another cluster's data, owned by postgres. */
    Path newDataDir(String name) throws IOException {
        Path d = dir.resolve(name);
        Files.createDirectories(d);
        PgCluster.own(d);
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
        return d;
    }

    @Override
    public void close() throws IOException {
        cluster.close();
    }
}
