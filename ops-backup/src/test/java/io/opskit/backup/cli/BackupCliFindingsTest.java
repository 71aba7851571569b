package io.opskit.backup.cli;

import static io.opskit.backup.cli.BackupCliTest.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.opskit.backup.BackupRepository;
import io.opskit.backup.KeyFile;
import io.opskit.backup.cli.BackupCliTest.Result;
import io.opskit.backup.internal.LeaseLock;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Regression tests for the CLI findings of the backup review (issue findings 7 and 10). */
class BackupCliFindingsTest {

    @TempDir
    Path dir;

    private Path db;
    private Path key;
    private Path repo;

    @BeforeEach
    void setUp() throws Exception {
        db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
            s.execute("INSERT INTO t(v) VALUES ('a'), ('b'), ('c')");
        }
        key = dir.resolve("backup.key");
        KeyFile.loadOrCreate(key);
        repo = dir.resolve("repo");
    }

    private String backup(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("backup", "--repo", repo.toString(), "--key-file",
                key.toString()));
        args.addAll(List.of(more));
        if (more.length == 0) {
            args.addAll(List.of("--source", "sqlite:" + db));
        }
        Result r = cli(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return r.lastLine();
    }

    private static long rows(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
            r.next();
            return r.getLong(1);
        }
    }

    private long listed() {
        return cli("list", "--repo", repo.toString()).out().lines().filter(l -> l.matches("^\\d{8}T.*")).count();
    }

    // ------------------------------------------------------------------------------ finding 10

    @Test
    void finding10_helpOfEveryCommand_exitsZero_withoutMissingRequiredOptions() {
        for (List<String> command : List.of(List.of("backup"), List.of("list"), List.of("verify"), List.of("restore"),
                List.of("prune"), List.of("copy"), List.of("lock"), List.of("lock", "status"), List.of("lock", "break"),
                List.of("wal-push"), List.of("wal-fetch"))) {
            for (String flag : List.of("--help", "-h")) {
                List<String> args = new java.util.ArrayList<>(command);
                args.add(flag);
                Result help = cli(args.toArray(String[]::new));
                assertThat(help.code()).as(args + ": " + help.err()).isZero();
                assertThat(help.err()).as(args.toString()).isEmpty();
                assertThat(help.out()).as(args.toString()).contains("Usage:")
                        .contains(command.get(command.size() - 1)).doesNotContain("Missing required");
            }
        }
        assertThat(cli("backup", "--help").out()).contains("--source").contains("--repo").contains("--lock-lease");
    }

    @Test
    void finding10_version_isTheVersionTheBuildRecorded_notDevelopment() throws Exception {
        Properties recorded = new Properties();
        try (InputStream in = BackupRepository.class.getResourceAsStream("versions.properties")) {
            assertThat(in).as("the filtered versions resource").isNotNull();
            recorded.load(in);
        }
        String version = recorded.getProperty("opskit");
        assertThat(version).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");

        for (String[] args : new String[][] {{"--version"}, {"-V"}, {"backup", "--version"}}) {
            Result r = cli(args);
            assertThat(r.code()).isZero();
            assertThat(r.out().strip()).isEqualTo("opskit-backup " + version);
        }
    }

    @Test
    void finding10_pruneWithoutZone_usesUtcAsDocumented() {
        backup();
        backup();

        Result r = cli("prune", "--repo", repo.toString(), "--key-file", key.toString(), "--keep-daily", "7");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("--zone UTC").contains("dry run");
        assertThat(cli("prune", "--help").out()).contains("default UTC");
    }

    @Test
    void finding10_refusedDryRun_printsTheWholePlan_andNamesTheCliFlags() {
        List<String> ids = List.of(backup(), backup(), backup(), backup());

        Result r = cli("prune", "--repo", repo.toString(), "--key-file", key.toString(), "--keep-last", "1");

        assertThat(r.code()).isEqualTo(1);
        for (String id : ids) {
            assertThat(r.out()).contains(id);
        }
        assertThat(r.out()).contains("DELETE").contains("KEEP");
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("would delete 3 of 4 backups").contains("--max-delete").contains("--force")
                .doesNotContain("maxDeleteFraction").doesNotContain("pass force").doesNotContain("raise");
        assertThat(listed()).isEqualTo(4);
    }

    @Test
    void finding10_badRetentionOptions_areRefusedInTheWordsOfTheCli() {
        backup();
        String[][] cases = {
            {"--keep-daily", "-1"}, {"--keep-last", "1", "--max-delete", "2", "--force"}, {"--zone", "UTC"}};
        String[] expected = {"--keep-daily must not be negative: -1", "--max-delete must be in (0, 1]",
            "prune needs at least one of --keep-last"};
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new java.util.ArrayList<>(List.of("prune", "--repo", repo.toString(), "--key-file",
                    key.toString()));
            args.addAll(List.of(cases[i]));
            Result r = cli(args.toArray(String[]::new));
            assertThat(r.code()).as(args.toString()).isEqualTo(2);
            assertThat(r.err().lines()).hasSize(1);
            assertThat(r.err()).contains(expected[i]).doesNotContain("maxDeleteFraction").doesNotContain("keepLast")
                    .doesNotContain("keepDaily");
        }
        assertThat(listed()).isEqualTo(1);
    }

    @Test
    void finding10_namedPostgresSource_isListedAndRestoredUnderItsName() throws Exception {
        io.opskit.testsupport.Services.postgres();
        String database = "opskit_cli_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String admin = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
        try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        try {
            String url = "jdbc:postgresql://127.0.0.1:5432/" + database + "?user=postgres";
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t(id int)");
                s.execute("INSERT INTO t SELECT generate_series(1, 3)");
            }
            String id = backup("--source", "shop=postgres:" + url);

            assertThat(cli("list", "--repo", repo.toString()).out()).contains("shop(postgres)");
            Result verify = cli("verify", "--repo", repo.toString(), "--key-file", key.toString(), "--level", "3", id);
            assertThat(verify.code()).as(verify.err()).isZero();
            BackupRepository application = BackupRepository.builder().directory(repo).keyProvider(KeyFile.load(key)).build();
            assertThat(application.onlySourceName(id)).isEqualTo("shop");
        } finally {
            try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }

    @Test
    void finding10_restoreOverAnExistingTarget_namesTheFlag() {
        String id = backup();
        Path out = dir.resolve("out.db");
        assertThat(cli("restore", "--repo", repo.toString(), "--key-file", key.toString(), id, "--to", out.toString())
                .code()).isZero();

        Result again = cli("restore", "--repo", repo.toString(), "--key-file", key.toString(), id, "--to", out.toString());

        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("--force").doesNotContain("pass force");
    }

    @Test
    void finding10_namedSources_restoreUnderTheApplicationsNames() throws Exception {
        Path uploads = dir.resolve("uploads");
        Files.createDirectories(uploads);
        Files.writeString(uploads.resolve("a.txt"), "hello");
        String id = backup("--source", "app-db=sqlite:" + db, "--source", "user-files=files:" + uploads);

        assertThat(cli("list", "--repo", repo.toString()).out()).contains("app-db(sqlite)").contains("user-files(files)");
        // The application's own repository, which names its sources so, restores what the CLI made.
        BackupRepository application = BackupRepository.builder().directory(repo).keyProvider(KeyFile.load(key)).build();
        application.restore(id, "app-db", dir.resolve("restored.db").toString(), false);
        assertThat(rows(dir.resolve("restored.db"))).isEqualTo(3);
        Result files = cli("restore", "--repo", repo.toString(), "--key-file", key.toString(), id, "--source", "user-files",
                "--to", dir.resolve("restored-files").toString());
        assertThat(files.code()).as(files.err()).isZero();
        assertThat(dir.resolve("restored-files/a.txt")).hasContent("hello");

        Result twice = cli("backup", "--repo", repo.toString(), "--key-file", key.toString(), "--source", "x=sqlite:" + db,
                "--source", "x=files:" + uploads);
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("--source name x is used twice");
    }

    @Test
    void finding10_fullRestoreTarget_saysHowMuchSpaceIsNeededAndWhatToDo() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("INSERT INTO t(v) SELECT hex(randomblob(1000)) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
                    + " SELECT i + 1 FROM n WHERE i < 3000) SELECT i FROM n)");
        }
        String id = backup();
        Path mount = dir.resolve("small");
        Files.createDirectories(mount);
        mountTmpfs(mount, "1m");
        try {
            Path target = mount.resolve("app.db");

            Result r = cli("restore", "--repo", repo.toString(), "--key-file", key.toString(), id, "--to", target.toString());

            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err().lines()).hasSize(1);
            assertThat(r.err()).contains("is full").contains("needs").contains("MiB").contains("--to")
                    .contains("free that much space").contains("target was not changed")
                    .doesNotContain("move the repository");
            assertThat(target).doesNotExist();
            try (var left = Files.list(mount)) {
                assertThat(left.toList()).as("nothing partial is left beside the target").isEmpty();
            }
        } finally {
            assertThat(run("umount", mount.toString())).isZero();
        }
    }

    // ------------------------------------------------------------------------------- finding 7

    @Test
    void finding7_lockStatus_showsTheHolder_andBreakNeedsConfirmation_thenFreesTheRepository() throws Exception {
        backup();
        Result free = cli("lock", "status", "--repo", repo.toString());
        assertThat(free.code()).isZero();
        assertThat(free.out()).startsWith("not locked");

        // A writer that holds the lease and no longer renews it (its process hung or its host is lost).
        LeaseLock held = LeaseLock.acquire(repo, Clock.systemUTC(), Duration.ofHours(1), false);
        Result status = cli("lock", "status", "--repo", repo.toString());
        assertThat(status.code()).isZero();
        assertThat(status.out()).contains("locked by " + held.owner()).contains("pid " + ProcessHandle.current().pid())
                .contains("until");

        Result blocked = cli("backup", "--repo", repo.toString(), "--key-file", key.toString(), "--source", "sqlite:" + db);
        assertThat(blocked.code()).isEqualTo(1);
        assertThat(blocked.err()).contains("locked by").contains("lock break --repo " + repo + " --confirm");

        Result unconfirmed = cli("lock", "break", "--repo", repo.toString());
        assertThat(unconfirmed.code()).isEqualTo(2);
        assertThat(unconfirmed.err()).contains("--confirm").contains(held.owner());
        assertThat(cli("lock", "status", "--repo", repo.toString()).out()).contains("locked by");

        Result broken = cli("lock", "break", "--repo", repo.toString(), "--confirm");
        assertThat(broken.code()).as(broken.err()).isZero();
        assertThat(broken.out()).contains("broke the writer lock of " + held.owner());
        assertThat(held.renew()).as("the old holder finds its lease gone and must not commit").isFalse();
        assertThat(cli("lock", "status", "--repo", repo.toString()).out()).startsWith("not locked");
        backup();
        assertThat(listed()).isEqualTo(2);
    }

    @Test
    void finding7_lockLease_isParsedForEveryWriter_andBadValuesNameTheFlag() {
        for (List<String> args : List.of(List.of("backup", "--repo", "r", "--source", "sqlite:x.db"),
                List.of("prune", "--repo", "r"), List.of("copy", "--from", "a", "--to", "b", "--key-file", "k", "--all"))) {
            String command = args.get(0);
            List<String> all = new java.util.ArrayList<>(args);
            all.addAll(List.of("--lock-lease", "10m"));
            CommandLine.ParseResult result = new CommandLine(new BackupCli()).parseArgs(all.toArray(String[]::new));
            Object sub = result.subcommand().commandSpec().userObject();
            BackupCli.LeaseOptions lease = switch (command) {
                case "backup" -> ((BackupCli.Backup) sub).lease;
                case "prune" -> ((BackupCli.Prune) sub).lease;
                default -> ((CopyCommand) sub).lease;
            };
            assertThat(lease.lease).as(command).isEqualTo(Duration.ofMinutes(10));
        }
        Result zero = cli("backup", "--repo", repo.toString(), "--key-file", key.toString(), "--source", "sqlite:" + db,
                "--lock-lease", "0s");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.err()).contains("--lock-lease must be at least 1s: '0s'");
        Result words = cli("prune", "--repo", repo.toString(), "--key-file", key.toString(), "--keep-last", "1",
                "--lock-lease", "soon");
        assertThat(words.code()).isEqualTo(2);
        assertThat(words.err()).contains("--lock-lease must be a duration");
        // A backup with its own lease length works and releases the lock.
        backup("--source", "sqlite:" + db, "--lock-lease", "30s");
        assertThat(cli("lock", "status", "--repo", repo.toString()).out()).startsWith("not locked");
    }

    @Test
    void finding7_maxDeleteAboveHalf_doesNotLiftTheLimitWithoutForce() {
        for (int i = 0; i < 4; i++) {
            backup();
        }

        Result lifted = cli("prune", "--repo", repo.toString(), "--key-file", key.toString(), "--keep-last", "1",
                "--max-delete", "1", "--apply");
        assertThat(lifted.code()).isEqualTo(2);
        assertThat(lifted.err()).contains("--max-delete 1").contains("more than half").contains("--force");
        assertThat(listed()).isEqualTo(4);

        Result lower = cli("prune", "--repo", repo.toString(), "--key-file", key.toString(), "--keep-last", "2",
                "--max-delete", "25%", "--apply");
        assertThat(lower.code()).as("a lower share is a tighter limit: 2 of 4 is more than 25 %").isEqualTo(1);
        assertThat(lower.err()).contains("more than --max-delete 25% allows (at most 1)");
        assertThat(listed()).isEqualTo(4);

        Result forced = cli("prune", "--repo", repo.toString(), "--key-file", key.toString(), "--keep-last", "1",
                "--max-delete", "1", "--force", "--apply");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(listed()).isEqualTo(1);
    }

    @Test
    void finding7_keyFileOf32Base64Characters_isRefusedByTheCli_withHowToMakeAKey() throws Exception {
        Path weak = dir.resolve("weak.key");
        Files.writeString(weak, "k".repeat(32));

        Result r = cli("backup", "--repo", repo.toString(), "--key-file", weak.toString(), "--source", "sqlite:" + db);

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("decode to 24 bytes").contains("openssl rand -base64 32");
        assertThat(repo.resolve(".lock")).doesNotExist();
    }

    // -------------------------------------------------------------------------------- helpers

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private static void mountTmpfs(Path mount, String size) throws Exception {
        if (run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mount.toString()) != 0) {
            String message = "cannot mount a size-limited tmpfs (needs root): full-target test not run";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(message);
            }
            assumeTrue(false, message);
        }
    }
}
