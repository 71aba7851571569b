package io.opskit.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opskit.backup.BackupManifest;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.KeyFile;
import io.opskit.backup.pitr.PgBaseBackupSource;
import io.opskit.backup.pitr.WalArchive;
import io.opskit.backup.pitr.WalPusher;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Whole-process benchmark of WAL archiving and point-in-time restore: a real PostgreSQL cluster
 * (16 MiB segments) generates WAL; the same segments are then pushed with Opskit's CLI (a JVM per
 * segment, as {@code archive_command} runs it, through the {@code opskit-backup} launcher script
 * next to the jar), with Opskit's long-lived {@link WalPusher}, and with
 * pgBackRest's {@code archive-push} (zstd level 3 and aes-256-cbc, as Opskit's zstd level 3 and
 * AES-256-GCM); then each restores its base backup plus every segment into a new data directory with
 * its own CLI ({@code opskit-backup restore}, {@code pgbackrest restore}) and a server replays to the
 * end and promotes through each one's {@code restore_command}. Run as root (servers run as {@code postgres}).
 * Writes a JSON summary.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.opskit.benchmarks.WalArchiveBenchmark \
 *      --cli-jar ops-backup/target/opskit-backup-cli.jar [--segments 200] [--work /tmp/opskit-wal-bench] \
 *      [--out WalArchiveBenchmark.json]
 * </pre>
 */
public final class WalArchiveBenchmark {

    private static final String BIN = binDir();

    private WalArchiveBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int segments = Integer.parseInt(opts.getOrDefault("segments", "200"));
        Path builtJar = Path.of(opts.getOrDefault("cli-jar", "ops-backup/target/opskit-backup-cli.jar")).toAbsolutePath();
        Path work = Path.of(opts.getOrDefault("work", "/tmp/opskit-wal-bench"));
        Path out = Path.of(opts.getOrDefault("out", "WalArchiveBenchmark.json"));
        if (!Files.isRegularFile(builtJar)) {
            throw new IllegalStateException("CLI jar not found: " + builtJar + " (./mvnw -pl ops-backup -am package)");
        }
        if (sh("command -v pgbackrest >/dev/null") != 0) {
            throw new IllegalStateException("pgbackrest is not installed (apt-get install pgbackrest)");
        }
        deleteTree(work);
        Files.createDirectories(work);
        UserPrincipal pg = work.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        own(work, pg, "rwxr-xr-x");
        Path data = work.resolve("data");
        Path segs = work.resolve("segments");
        for (Path d : List.of(data, segs, work.resolve("pgbr-repo"), work.resolve("pgbr-log"), work.resolve("pgbr-lock"),
                work.resolve("opskit-cli-repo"), work.resolve("opskit-pusher-repo"))) {
            Files.createDirectories(d);
            own(d, pg, "rwx------");
        }
        own(data, pg, "rwx------");
        Path cliJar = work.resolve("opskit-backup-cli.jar"); // where the postgres user can read it
        Files.copy(builtJar, cliJar);
        Files.setPosixFilePermissions(cliJar, PosixFilePermissions.fromString("rw-r--r--"));
        // The launcher script next to the jar, as the README tells users to install it; its class
        // data archives go to a directory of this run, so the first push pays for making them.
        Path launcher = work.resolve("opskit-backup");
        Files.copy(builtJar.resolveSibling("../bin/opskit-backup").normalize(), launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cds = work.resolve("cds");
        Files.createDirectories(cds);
        own(cds, pg, "rwxrwxrwx");
        String cliEnv = "OPSKIT_BACKUP_CDS_DIR=" + cds + " JAVA=" + ProcessHandle.current().info().command().orElse("java") + " ";
        Path key = work.resolve("opskit.key");
        KeyFile.loadOrCreate(key);
        Files.setOwner(key, pg);
        String cipherPass = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));

        String loadBefore = Files.readString(Path.of("/proc/loadavg")).strip();
        log("initdb and start a cluster with 16 MiB segments");
        asPostgres(BIN + "/initdb -D " + data + " -A trust -U postgres --no-sync --no-instructions");
        int port = freePort();
        Files.writeString(data.resolve("postgresql.conf"), "\nport = " + port + "\nlisten_addresses = '127.0.0.1'\n"
                + "unix_socket_directories = '" + work + "'\narchive_mode = on\narchive_command = 'cp %p " + segs
                + "/%f'\nmax_wal_size = 4GB\nshared_buffers = 64MB\n", java.nio.file.StandardOpenOption.APPEND);
        asPostgres(BIN + "/pg_ctl -D " + data + " -w -l " + work + "/server.log start");
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
        Path conf = work.resolve("pgbackrest.conf");
        Files.writeString(conf, "[global]\nrepo1-path=" + work + "/pgbr-repo\nrepo1-cipher-type=aes-256-cbc\nrepo1-cipher-pass="
                + cipherPass + "\ncompress-type=zst\ncompress-level=3\nlog-level-console=warn\nlog-level-file=off\nlog-path=" + work
                + "/pgbr-log\nlock-path=" + work + "/pgbr-lock\nstart-fast=y\narchive-check=n\n\n[bench]\npg1-path=" + data
                + "\npg1-port=" + port + "\npg1-socket-path=" + work + "\n");
        Files.setOwner(conf, pg);
        String pgbr = "pgbackrest --config=" + conf + " --stanza=bench";
        Map<String, Double> seconds = new LinkedHashMap<>();
        try {
            asPostgres(pgbr + " stanza-create");
            log("base backups: pgBackRest full and Opskit pg-base");
            time(seconds, "pgbackrest_base_backup", () -> asPostgres(pgbr + " --type=full backup"));
            PgBaseBackupSource base = PgBaseBackupSource.of("pg", url);
            Path pusherRepo = work.resolve("opskit-pusher-repo");
            BackupRepository repository = BackupRepository.builder().directory(pusherRepo).keyProvider(KeyFile.load(key))
                    .source(base).build();
            WalArchive pusherArchive = WalArchive.builder().repository(pusherRepo).keyProvider(KeyFile.load(key)).build();
            BackupManifest[] made = new BackupManifest[1];
            time(seconds, "opskit_base_backup", () -> made[0] = repository.backup());
            pusherArchive.recordBaseBackup(made[0], base);

            log("generating %d segments of WAL", segments);
            generate(url, segs, segments);
            asPostgres(BIN + "/pg_ctl -D " + data + " -m fast -w stop");
            List<Path> files;
            try (Stream<Path> s = Files.list(segs)) {
                files = s.filter(p -> !p.getFileName().toString().endsWith(".partial")).sorted().toList();
            }
            long walSegments = files.stream().filter(p -> p.getFileName().toString().length() == 24).count();
            log("pushing %d files (%d segments) with each contender", files.size(), walSegments);

            Path cliRepo = work.resolve("opskit-cli-repo");
            time(seconds, "opskit_cli_push", () -> {
                for (Path f : files) {
                    asPostgres(cliEnv + launcher + " wal-push --repo " + cliRepo + " --key-file " + key + " " + f);
                }
            });
            time(seconds, "opskit_pusher_push", () -> {
                try (WalPusher pusher = WalPusher.builder().archive(pusherArchive).build()) {
                    for (Path f : files) {
                        pusher.submit(f).get(); // one at a time, as PostgreSQL's archiver hands them over
                    }
                }
            });
            time(seconds, "pgbackrest_push", () -> {
                for (Path f : files) {
                    asPostgres(pgbr + " archive-push " + f);
                }
            });

            log("restores to the end of the archive");
            Path opskitRestored = work.resolve("restore-opskit");
            Path pgbrRestored = work.resolve("restore-pgbr");
            for (Path d : List.of(opskitRestored, pgbrRestored)) {
                Files.createDirectories(d);
                own(d, pg, "rwx------");
            }
            // The CLI's restore as a user runs it: its restore_command is the launcher's wal-fetch,
            // which keeps the next segments decrypted by a background process during the replay.
            time(seconds, "opskit_restore", () -> {
                run(List.of("sh", "-c", cliEnv + launcher + " restore " + made[0].id() + " --repo " + pusherRepo
                        + " --key-file " + key + " --to " + opskitRestored + " --target latest"));
                startAndAwaitPromotion(opskitRestored, work, cliEnv);
            });
            time(seconds, "pgbackrest_restore", () -> {
                asPostgres(pgbr + " --pg1-path=" + pgbrRestored + " restore");
                startAndAwaitPromotion(pgbrRestored, work, "");
            });

            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode summary = json.createObjectNode();
            summary.put("benchmark", "WalArchiveBenchmark");
            summary.put("segments", walSegments);
            summary.put("files", files.size());
            summary.put("segmentBytes", 16 << 20);
            summary.put("machine", Runtime.getRuntime().availableProcessors() + " cores; one run");
            summary.put("loadavgBefore", loadBefore);
            summary.put("loadavgAfter", Files.readString(Path.of("/proc/loadavg")).strip());
            ObjectNode secs = summary.putObject("seconds");
            seconds.forEach((k, v) -> secs.put(k, round(v)));
            ObjectNode rates = summary.putObject("segmentsPerSecond");
            for (String k : List.of("opskit_cli_push", "opskit_pusher_push", "pgbackrest_push")) {
                rates.put(k, round(files.size() / seconds.get(k)));
            }
            ObjectNode ratios = summary.putObject("ratios");
            ratios.put("pusher_vs_pgbackrest_segments_per_second (goal >= 1.0)",
                    round(seconds.get("pgbackrest_push") / seconds.get("opskit_pusher_push")));
            ratios.put("cli_vs_pgbackrest_segments_per_second (goal >= 0.5)",
                    round(seconds.get("pgbackrest_push") / seconds.get("opskit_cli_push")));
            ratios.put("restore_time_vs_pgbackrest (goal <= 1.0)",
                    round(seconds.get("opskit_restore") / seconds.get("pgbackrest_restore")));
            json.writeValue(out.toFile(), summary);
            System.out.println(json.writeValueAsString(summary));
        } finally {
            sh("runuser -u postgres -- " + BIN + "/pg_ctl -D " + data + " -m immediate -w stop >/dev/null 2>&1");
        }
    }

    private static void generate(String url, Path segs, int segments) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("create table if not exists wal_bench(id bigint, payload text)");
            long id = 0;
            while (countSegments(segs) < segments + 2) {
                // About 16 MiB of WAL per round: rows of random-looking text, then a switch.
                s.execute("insert into wal_bench select g, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text)"
                        + " from generate_series(" + id + ", " + (id + 120_000) + ") g");
                id += 120_001;
                try (ResultSet rs = s.executeQuery("select pg_switch_wal()")) {
                    rs.next();
                }
                s.execute("checkpoint");
            }
        }
    }

    private static long countSegments(Path segs) throws IOException {
        try (Stream<Path> s = Files.list(segs)) {
            return s.filter(p -> p.getFileName().toString().length() == 24).count();
        }
    }

    private static void startAndAwaitPromotion(Path data, Path work, String env) throws Exception {
        int port = freePort();
        asPostgres(env + BIN + "/pg_ctl -D " + data + " -w -t 3600 -l " + data + ".log -o \"-c port=" + port
                + " -c archive_mode=off -c listen_addresses='' -c unix_socket_directories=" + work + "\" start");
        try {
            long deadline = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
            while (true) {
                Process p = new ProcessBuilder("runuser", "-u", "postgres", "--", BIN + "/psql", "-X", "-h", work.toString(),
                        "-p", Integer.toString(port), "-U", "postgres", "-d", "postgres", "-Atc", "select pg_is_in_recovery()")
                        .redirectErrorStream(true).start();
                String r = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                p.waitFor();
                if (r.equals("f")) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("restored server did not promote");
                }
                Thread.sleep(100);
            }
        } finally {
            asPostgres(BIN + "/pg_ctl -D " + data + " -m immediate -w stop");
        }
    }

    interface Step {
        void run() throws Exception;
    }

    private static void time(Map<String, Double> seconds, String name, Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        double s = (System.nanoTime() - t0) / 1e9;
        seconds.put(name, s);
        log("%-24s %8.2f s  (load %s)", name, s, Files.readString(Path.of("/proc/loadavg")).strip());
    }

    private static void asPostgres(String command) throws Exception {
        run(List.of("runuser", "-u", "postgres", "--", "sh", "-c", command));
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + output);
        }
    }

    private static int sh(String command) throws Exception {
        return new ProcessBuilder("sh", "-c", command).inheritIO().start().waitFor();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void own(Path p, UserPrincipal owner, String perms) throws IOException {
        Files.setOwner(p, owner);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String binDir() {
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir").start();
            String dir = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() == 0 && Files.isDirectory(Path.of(dir))) {
                return dir;
            }
        } catch (Exception e) {
            // fall back
        }
        return "/usr/lib/postgresql/15/bin";
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[wal-bench] " + format + "%n", args);
    }
}
