package io.opskit.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opskit.backup.BackupManifest;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.BackupSources;
import io.opskit.backup.Compression;
import io.opskit.backup.KeyFile;
import io.opskit.backup.VerifyLevel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Whole-process benchmark: Opskit's full backup of a SQLite database (snapshot, compress, encrypt,
 * checksum, fsync) and restore, against the equivalent shell pipelines built from {@code sqlite3
 * .backup}, {@code zstd -3 -T2} or {@code gzip -6}, {@code openssl enc -aes-256-ctr} and
 * {@code sha256sum}, all on the same database in the same run. Writes a JSON summary.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.opskit.benchmarks.BackupThroughputBenchmark \
 *      [--size-mb 400] [--runs 3] [--work /tmp/opskit-backup-bench] [--out BackupThroughputBenchmark.json]
 * </pre>
 */
public final class BackupThroughputBenchmark {

    private BackupThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        if (opts.containsKey("child-backup")) {
            childBackup(Path.of(opts.get("work")));
            return;
        }
        int sizeMb = Integer.parseInt(opts.getOrDefault("size-mb", "400"));
        int runs = Integer.parseInt(opts.getOrDefault("runs", "3"));
        Path work = Path.of(opts.getOrDefault("work", System.getProperty("java.io.tmpdir") + "/opskit-backup-bench"));
        Path out = Path.of(opts.getOrDefault("out", "BackupThroughputBenchmark.json"));
        for (String tool : List.of("sqlite3", "zstd", "gzip", "openssl", "sha256sum")) {
            if (sh("command -v " + tool + " >/dev/null") != 0) {
                throw new IllegalStateException(tool + " is not installed: the shell pipeline needs it (apt-get install " + tool + ")");
            }
        }
        Files.createDirectories(work);
        Path db = work.resolve("bench.db");
        ensureDatabase(db, sizeMb * 1_000_000L);
        long dbBytes = Files.size(db);
        Path keyFile = work.resolve("bench.key");
        KeyFile.loadOrCreate(keyFile);
        byte[] shellKey = new byte[32];
        new SecureRandom().nextBytes(shellKey);
        String hexKey = HexFormat.of().formatHex(shellKey);
        String hexIv = HexFormat.of().formatHex(Arrays.copyOf(shellKey, 16));
        log("database %s: %.1f MB, %d runs each", db, dbBytes / 1e6, runs);

        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        for (int run = 0; run < runs; run++) {
            // Interleaved, so that machine noise hits every contender alike.
            time(seconds, "opskit_zstd3_backup", () -> opskitBackup(work, db, keyFile, Compression.zstd(3)));
            time(seconds, "shell_zstd3_backup", () -> shellBackup(work, db, "zstd -3 -T2 -q -c", hexKey, hexIv));
            time(seconds, "opskit_gzip6_backup", () -> opskitBackup(work, db, keyFile, Compression.gzip(6)));
            time(seconds, "shell_gzip6_backup", () -> shellBackup(work, db, "gzip -6 -c", hexKey, hexIv));
            // Restores of the zstd archives just made.
            BackupRepository zstdRepo = repo(work.resolve("repo-zstd"), db, keyFile, Compression.zstd(3));
            String id = zstdRepo.list().get(zstdRepo.list().size() - 1).id();
            prepareRestore(work, work.resolve("repo-zstd"));
            time(seconds, "opskit_zstd3_restore", () -> {
                Path target = work.resolve("restored-opskit.db");
                Files.deleteIfExists(target);
                zstdRepo.restore(id, target.toString(), false);
            });
            // The same backup once it passed level-3 verification (untimed): the default check then
            // only opens the restored file, as the same bytes already passed integrity_check.
            zstdRepo.verify(id, VerifyLevel.TEST_RESTORE);
            prepareRestore(work, work.resolve("repo-zstd"));
            time(seconds, "opskit_zstd3_restore_verified", () -> {
                Path target = work.resolve("restored-opskit.db");
                Files.deleteIfExists(target);
                zstdRepo.restore(id, target.toString(), false);
            });
            prepareRestore(work, work.resolve("shell-zstd.bin"));
            time(seconds, "shell_zstd3_restore", () -> shellRestore(work, hexKey, hexIv, true));
            prepareRestore(work, work.resolve("shell-zstd.bin"));
            time(seconds, "shell_zstd3_restore_nocheck", () -> shellRestore(work, hexKey, hexIv, false));
            time(seconds, "opskit_zstd3_backup_xmx64m", () -> {
                Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx64m", "-cp", System.getProperty("java.class.path"), BackupThroughputBenchmark.class.getName(),
                        "--child-backup", "--work", work.toString()).inheritIO().start();
                if (!child.waitFor(30, TimeUnit.MINUTES) || child.exitValue() != 0) {
                    throw new IllegalStateException("the -Xmx64m backup failed (exit " + child.exitValue() + ")");
                }
            });
            cleanRepos(work);
        }

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode summary = json.createObjectNode();
        summary.put("benchmark", "BackupThroughputBenchmark");
        summary.put("databaseBytes", dbBytes);
        summary.put("runs", runs);
        summary.put("java", System.getProperty("java.version"));
        summary.put("processors", Runtime.getRuntime().availableProcessors());
        ObjectNode medians = summary.putObject("medianSeconds");
        ObjectNode throughput = summary.putObject("medianMBps");
        ObjectNode all = summary.putObject("allSeconds");
        Map<String, Double> median = new LinkedHashMap<>();
        for (Map.Entry<String, List<Double>> e : seconds.entrySet()) {
            double m = median(e.getValue());
            median.put(e.getKey(), m);
            medians.put(e.getKey(), round(m));
            throughput.put(e.getKey(), round(dbBytes / 1e6 / m));
            all.putPOJO(e.getKey(), e.getValue().stream().map(BackupThroughputBenchmark::round).toList());
        }
        ObjectNode ratios = summary.putObject("ratios");
        ratios.put("zstd_backup_vs_shell (goal >= 1.0, aim 1.4)", round(median.get("shell_zstd3_backup") / median.get("opskit_zstd3_backup")));
        ratios.put("gzip6_backup_vs_shell (goal >= 0.9)", round(median.get("shell_gzip6_backup") / median.get("opskit_gzip6_backup")));
        ratios.put("restore_vs_reverse_pipeline (goal >= 1.0)", round(median.get("shell_zstd3_restore_nocheck") / median.get("opskit_zstd3_restore")));
        ratios.put("restore_of_verified_backup_vs_reverse_pipeline", round(median.get("shell_zstd3_restore_nocheck") / median.get("opskit_zstd3_restore_verified")));
        ratios.put("restore_vs_reverse_pipeline_plus_integrity_check", round(median.get("shell_zstd3_restore") / median.get("opskit_zstd3_restore")));
        ratios.put("xmx64m_backup_vs_default_heap", round(median.get("opskit_zstd3_backup") / median.get("opskit_zstd3_backup_xmx64m")));
        json.writeValue(out.toFile(), summary);
        System.out.println(json.writeValueAsString(summary));
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void time(Map<String, List<Double>> seconds, String name, Step step) throws Exception {
        sh("sync");
        long start = System.nanoTime();
        step.run();
        double s = (System.nanoTime() - start) / 1e9;
        seconds.computeIfAbsent(name, k -> new ArrayList<>()).add(s);
        log("%-30s %7.2f s", name, s);
    }

    /**
     * Puts every restore in the same place before it is timed: earlier outputs gone, its archive in
     * the page cache, and 450 MB of memory freshly written and freed. The page cache here is small
     * and a virtual machine's freed memory goes back to its host after a while; writing 400 MB into
     * memory the guest has not touched lately cost a restore about 1.2 s more in system time than
     * writing into memory just freed, so without this whichever contender happened to follow a
     * deleted 400 MB file (the shell's own previous output) ran a second faster.
     */
    private static void prepareRestore(Path work, Path archive) throws Exception {
        sh("cd '" + work + "' && rm -f restored-*.db* .restored-*"
                + " && find '" + archive + "' -type f -exec cat {} + > /dev/null"
                + " && head -c 450000000 /dev/zero > scratch.bin && rm -f scratch.bin");
    }

    private static BackupRepository repo(Path dir, Path db, Path keyFile, Compression compression) {
        return BackupRepository.builder().directory(dir).keyProvider(KeyFile.load(keyFile))
                .source(BackupSources.sqlite("bench", db)).compression(compression)
                .verifyAfterBackup(false) // the shell pipeline does not verify either
                .build();
    }

    private static void opskitBackup(Path work, Path db, Path keyFile, Compression compression) {
        BackupManifest made = repo(work.resolve("repo-" + compression.codec()), db, keyFile, compression).backup();
        if (made.storedBytes() <= 0) {
            throw new IllegalStateException("empty backup");
        }
    }

    private static void childBackup(Path work) {
        repo(work.resolve("repo-xmx64m"), work.resolve("bench.db"), work.resolve("bench.key"), Compression.zstd(3)).backup();
    }

    private static void shellBackup(Path work, Path db, String compressor, String key, String iv) throws Exception {
        // The shell copies the snapshot to a file first, then compresses, encrypts, hashes and syncs.
        String script = "set -eo pipefail; cd '" + work + "'; rm -f snap.db shell.bin;"
                + " sqlite3 '" + db + "' '.backup snap.db';"
                + " " + compressor + " snap.db | openssl enc -aes-256-ctr -K " + key + " -iv " + iv
                + " | tee shell.bin | sha256sum > shell.sha256; sync shell.bin; rm -f snap.db";
        if (sh(script) != 0) {
            throw new IllegalStateException("shell backup pipeline failed");
        }
        if (compressor.startsWith("zstd")) {
            Files.move(work.resolve("shell.bin"), work.resolve("shell-zstd.bin"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void shellRestore(Path work, String key, String iv, boolean check) throws Exception {
        // Checksum, decrypt, decompress to a file, sync; with check, the same integrity_check Opskit runs.
        String script = "set -eo pipefail; cd '" + work + "'; rm -f restored-shell.db;"
                + " sha256sum shell-zstd.bin > /dev/null;"
                + " openssl enc -d -aes-256-ctr -K " + key + " -iv " + iv + " < shell-zstd.bin | zstd -d -T2 -q -c > restored-shell.db;"
                + " sync restored-shell.db;"
                + (check ? " test \"$(sqlite3 restored-shell.db 'PRAGMA integrity_check')\" = ok;" : "");
        if (sh(script) != 0) {
            throw new IllegalStateException("shell restore pipeline failed");
        }
    }

    private static void cleanRepos(Path work) throws IOException {
        try (Stream<Path> entries = Files.list(work)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith("repo-") || name.startsWith("restored-")) {
                    try (Stream<Path> tree = Files.walk(p)) {
                        tree.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                    }
                }
            }
        }
    }

    /** A database of notes: words with some random tokens, compressing about 3:1 like app data. */
    static void ensureDatabase(Path db, long bytes) throws Exception {
        if (Files.exists(db) && Files.size(db) >= bytes) {
            return;
        }
        Files.deleteIfExists(db);
        log("generating a %d MB SQLite database ...", bytes >> 20);
        String[] words = "the quick brown fox jumps over lazy dog backup restore verify encrypt compress snapshot order customer invoice shipped pending user session token".split(" ");
        Random random = new Random(42);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=OFF");
            s.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, user_id INTEGER, created INTEGER, title TEXT, body TEXT)");
            s.execute("CREATE INDEX notes_user ON notes(user_id, created)");
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO notes(user_id, created, title, body) VALUES (?,?,?,?)")) {
                StringBuilder body = new StringBuilder();
                long n = 0;
                while (true) {
                    for (int i = 0; i < 10_000; i++) {
                        body.setLength(0);
                        int len = 20 + random.nextInt(60);
                        for (int w = 0; w < len; w++) {
                            body.append(random.nextInt(8) == 0 ? Long.toHexString(random.nextLong()) : words[random.nextInt(words.length)]).append(' ');
                        }
                        insert.setLong(1, random.nextInt(100_000));
                        insert.setLong(2, 1_700_000_000_000L + n * 1000);
                        insert.setString(3, words[random.nextInt(words.length)] + " " + n);
                        insert.setString(4, body.toString());
                        insert.addBatch();
                        n++;
                    }
                    insert.executeBatch();
                    c.commit();
                    if (Files.size(db) + Files.size(db.resolveSibling(db.getFileName() + "-wal")) >= bytes) {
                        // The WAL overlaps: stop on the file's own size. The checkpoint runs outside any
                        // transaction and its one-row result is read and closed: a result set left open
                        // inside the transaction made the next commit fail with SQLITE_BUSY
                        // ("cannot commit transaction - SQL statements in progress").
                        checkpoint(c);
                        if (Files.size(db) >= bytes) {
                            break;
                        }
                    }
                }
            }
            c.setAutoCommit(true);
            checkpoint(c);
            s.execute("PRAGMA journal_mode=DELETE");
        }
    }

    /** {@code PRAGMA wal_checkpoint(TRUNCATE)} in autocommit mode, its result read and closed. */
    private static void checkpoint(Connection c) throws java.sql.SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement(); java.sql.ResultSet r = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
            while (r.next()) {
                // one row: busy, log frames, checkpointed frames
            }
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static int sh(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).inheritIO().start();
        return p.waitFor();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            String name = a.substring(2);
            if (name.equals("child-backup")) {
                opts.put(name, "true");
            } else if (i + 1 < args.length) {
                opts.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException(a + " needs a value");
            }
        }
        return opts;
    }

    private static void log(String format, Object... args) {
        System.err.println(String.format(Locale.ROOT, format, args));
    }
}
