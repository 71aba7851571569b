package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.backup.RestoreOptions;
import io.opskit.api.backup.RestoreTarget;
import io.opskit.backup.internal.SqliteSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore killed at every rename and write (a child JVM halted at crash point K, K = 1, 2, ...
 * until one run finishes) leaves the target whole, old or new, never a mix, never absent where a
 * database was; and the next restore leaves no temporaries behind.
 */
class RestoreCrashTest {

    private static final long OLD_ROWS = 100;
    private static final long NEW_ROWS = 700;

    @TempDir
    Path dir;

    private Path repo;
    private Path key;
    private BackupManifest sqliteBackup;
    private BackupManifest filesBackup;
    /** The old database: 50 rows in the file and 50 more only in its write-ahead log. */
    private Path oldDb;

    @BeforeEach
    void backups() throws Exception {
        repo = dir.resolve("repo");
        key = dir.resolve("k");
        KeyFile.loadOrCreate(key);
        Path db = dir.resolve("src").resolve("app.db");
        Files.createDirectories(db.getParent());
        TestDb.create(db, (int) NEW_ROWS);
        Path conf = dir.resolve("src").resolve("conf");
        Files.createDirectories(conf.resolve("sub"));
        Files.writeString(conf.resolve("a.properties"), "a=new\n");
        Files.writeString(conf.resolve("sub").resolve("b.properties"), "b=new\n");
        sqliteBackup = repository(BackupSources.sqlite("app-db", db)).backup();
        filesBackup = repository(BackupSources.files("conf", conf)).backup();

        oldDb = dir.resolve("old").resolve("app.db");
        Files.createDirectories(oldDb.getParent());
        try (Connection c = TestDb.open(oldDb); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
            s.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50)"
                    + " INSERT INTO notes(body) SELECT 'old ' || x FROM c");
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            s.execute("PRAGMA wal_autocheckpoint=0");
            s.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50)"
                    + " INSERT INTO notes(body) SELECT 'old ' || x FROM c");
            // Copied while the connection is open: the -wal holds the last 50 rows, as after a crash.
            Files.copy(oldDb, oldDb.resolveSibling("copy.db"));
            Files.copy(oldDb.resolveSibling("app.db-wal"), oldDb.resolveSibling("copy.db-wal"));
        }
        Files.delete(oldDb);
        Files.move(oldDb.resolveSibling("copy.db"), oldDb);
        Files.move(oldDb.resolveSibling("copy.db-wal"), oldDb.resolveSibling("app.db-wal"));
    }

    private BackupRepository repository(io.opskit.api.backup.BackupSource source) {
        return BackupRepository.builder().directory(repo).keyProvider(KeyFile.load(key)).source(source).build();
    }

    private BackupRepository repository() {
        return BackupRepository.builder().directory(repo).keyProvider(KeyFile.load(key)).build();
    }

    /** Runs the child restore halted at point {@code k}; true when it ran to the end. */
    static boolean restoreInChild(Path repo, Path key, String id, Path target, boolean force, int k) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Dopskit.backup.crashAt=" + k,
                "-cp", System.getProperty("java.class.path"), RestoreCrashChild.class.getName(),
                repo.toString(), key.toString(), id, target.toString(), force ? "force" : "new")
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        if (child.exitValue() == 137) {
            assertThat(out).as("the child stopped at crash point %d", k).contains("opskit crash point " + k + ":");
            return false;
        }
        assertThat(child.exitValue()).as("child output: %s", out).isZero();
        assertThat(out).contains("points ");
        return true;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The rows of a database, opened as an application would (replaying any -wal beside it). */
    private static long rows(Path db) throws Exception {
        assertThat(SqliteSource.integrityCheck(db)).isEqualTo("ok");
        return TestDb.count(db);
    }

    private void freshOldTarget(Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Files.copy(oldDb, target, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(oldDb.resolveSibling("app.db-wal"), target.resolveSibling("app.db-wal"), StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void finding4_forcedRestoreKilledAtEveryRenameAndWrite_leavesTheOldDatabaseWholeOrTheNewOne_neverWithoutItsLog() throws Exception {
        assertThat(rows(copyOf(oldDb))).as("the old database counts its log").isEqualTo(OLD_ROWS);
        int k = 1;
        List<Long> seen = new ArrayList<>();
        for (; ; k++) {
            Path target = dir.resolve("round" + k).resolve("app.db");
            freshOldTarget(target);
            boolean finished = restoreInChild(repo, key, sqliteBackup.id(), target, true, k);
            long rows = rows(copyOf(target));
            seen.add(rows);
            assertThat(rows).as("rows at the target after a kill at point %d", k).isIn(OLD_ROWS, NEW_ROWS);
            if (finished) {
                assertThat(rows).isEqualTo(NEW_ROWS);
                assertThat(Files.getPosixFilePermissions(target)).as("0600 stays 0600")
                        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                break;
            }
            nextRestoreLeavesNoLeftovers(target);
        }
        assertThat(k).as("crash points in a forced restore").isGreaterThanOrEqualTo(4);
        assertThat(seen).contains(OLD_ROWS, NEW_ROWS);
    }

    @Test
    void finding4_restoreBesideAStaleLogKilledAtEveryStep_neverLetsTheStaleLogReplayIntoTheRestoredData() throws Exception {
        int k = 1;
        for (; ; k++) {
            Path target = dir.resolve("round" + k).resolve("app.db");
            Files.createDirectories(target.getParent());
            // The database was removed, its -wal left behind by a crash.
            Files.copy(oldDb.resolveSibling("app.db-wal"), target.resolveSibling("app.db-wal"));
            boolean finished = restoreInChild(repo, key, sqliteBackup.id(), target, false, k);
            if (Files.exists(target)) {
                assertThat(rows(copyOf(target))).as("after a kill at point %d", k).isEqualTo(NEW_ROWS);
                assertThat(target.resolveSibling("app.db-wal")).doesNotExist();
            }
            if (finished) {
                assertThat(names(target.getParent())).contains("app.db").noneMatch(n -> n.startsWith(".app.db.restore-"));
                break;
            }
            nextRestoreLeavesNoLeftovers(target);
        }
        assertThat(k).isGreaterThanOrEqualTo(3);
    }

    @Test
    void finding5_filesRestoreKilledAtEveryStep_leavesTheDirectoryAbsentOrComplete_andTheNextRestoreRemovesTheStaging() throws Exception {
        int k = 1;
        for (; ; k++) {
            Path target = dir.resolve("round" + k).resolve("out");
            Files.createDirectories(target.getParent());
            boolean finished = restoreInChild(repo, key, filesBackup.id(), target, false, k);
            if (Files.exists(target)) {
                assertThat(Files.readString(target.resolve("a.properties"))).isEqualTo("a=new\n");
                assertThat(Files.readString(target.resolve("sub").resolve("b.properties"))).isEqualTo("b=new\n");
            }
            if (finished) {
                assertThat(names(target.getParent())).containsExactly("out");
                break;
            }
            repository().restore(filesBackup.id(), RestoreTarget.directory(target), RestoreOptions.forced());
            assertThat(names(target.getParent())).as("after a kill at point %d and a new restore", k).containsExactly("out");
        }
        assertThat(k).isGreaterThanOrEqualTo(3);
    }

    @Test
    void finding5_forcedFilesRestoreKilledAtEveryStep_leavesTheOldDirectoryOrTheNewOneWhole_neverAMix() throws Exception {
        int k = 1;
        for (; ; k++) {
            Path target = dir.resolve("round" + k).resolve("out");
            Files.createDirectories(target.resolve("sub"));
            Files.writeString(target.resolve("a.properties"), "a=old\n");
            Files.writeString(target.resolve("sub").resolve("b.properties"), "b=old\n");
            Files.writeString(target.resolve("only-old.txt"), "not in the backup\n");
            boolean finished = restoreInChild(repo, key, filesBackup.id(), target, true, k);
            List<String> asides = names(target.getParent()).stream().filter(n -> n.startsWith("out.before-restore-")).toList();
            if (Files.exists(target)) {
                String a = Files.readString(target.resolve("a.properties"));
                assertThat(a).as("step %d", k).isIn("a=old\n", "a=new\n");
                String version = a.equals("a=old\n") ? "old" : "new";
                assertThat(Files.readString(target.resolve("sub").resolve("b.properties"))).as("step %d", k)
                        .isEqualTo("b=" + version + "\n");
                assertThat(Files.exists(target.resolve("only-old.txt"))).as("step %d", k).isEqualTo(version.equals("old"));
            } else {
                // Killed between the two renames: the old directory is whole under its kept-aside name.
                assertThat(asides).as("step %d", k).hasSize(1);
                Path aside = target.resolveSibling(asides.get(0));
                assertThat(Files.readString(aside.resolve("a.properties"))).isEqualTo("a=old\n");
                assertThat(Files.readString(aside.resolve("only-old.txt"))).isEqualTo("not in the backup\n");
            }
            if (finished) {
                assertThat(Files.readString(target.resolve("a.properties"))).isEqualTo("a=new\n");
                assertThat(asides).hasSize(1);
                break;
            }
            repository().restore(filesBackup.id(), RestoreTarget.directory(target), RestoreOptions.forced());
            assertThat(Files.readString(target.resolve("a.properties"))).isEqualTo("a=new\n");
            assertThat(names(target.getParent())).as("what the next restore left after step %d", k)
                    .allMatch(n -> n.equals("out") || n.startsWith("out.before-restore-")).contains("out");
        }
        assertThat(k).isGreaterThanOrEqualTo(3);
    }

    @Test
    void finding4_forcedRestoreOverADatabaseWithItsLog_keepsTheWholeOldDatabaseAsideInOneFile() throws Exception {
        Path target = dir.resolve("live").resolve("app.db");
        freshOldTarget(target);

        repository().restore(sqliteBackup.id(), RestoreTarget.file(target), RestoreOptions.forced());

        assertThat(rows(copyOf(target))).isEqualTo(NEW_ROWS);
        List<String> names = names(target.getParent());
        String aside = names.stream().filter(n -> n.startsWith("app.db.before-restore-")).findFirst().orElseThrow();
        assertThat(names).containsExactlyInAnyOrder("app.db", aside);
        // Its log was written back into it before the swap: the file alone has all 100 rows.
        assertThat(rows(copyOf(target.resolveSibling(aside)))).isEqualTo(OLD_ROWS);
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void finding4_forcedRestoreOverADatabaseWhoseLogAReaderHolds_isRefused_andLeavesItUntouched() throws Exception {
        Path target = dir.resolve("busy").resolve("app.db");
        freshOldTarget(target);
        try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + target); Statement s = reader.createStatement()) {
            reader.setAutoCommit(false);
            try (var r = s.executeQuery("SELECT count(*) FROM notes")) {
                r.next(); // a read transaction on a snapshot that needs the log
                assertThat(r.getLong(1)).isEqualTo(OLD_ROWS);
            }
            assertThatThrownBy(() -> repository().restore(sqliteBackup.id(), RestoreTarget.file(target), RestoreOptions.forced()))
                    .isInstanceOf(RestoreRefusedException.class).hasMessageContaining("is in use");
            reader.rollback();
        }
        assertThat(rows(copyOf(target))).isEqualTo(OLD_ROWS);
        assertThat(names(target.getParent())).noneMatch(n -> n.startsWith(".app.db.restore-") || n.contains("before-restore"));
    }

    /** After a kill: a forced restore in this JVM succeeds and leaves only the target and its kept-aside copies. */
    private void nextRestoreLeavesNoLeftovers(Path target) throws Exception {
        repository().restore(sqliteBackup.id(), RestoreTarget.file(target), RestoreOptions.forced());
        assertThat(rows(copyOf(target))).isEqualTo(NEW_ROWS);
        assertThat(names(target.getParent())).as("what the next restore left")
                .allMatch(n -> n.equals("app.db") || n.startsWith("app.db.before-restore-") || n.startsWith("app.db.stale-"))
                .contains("app.db");
    }

    /** A copy to open, so that opening does not change what the test looks at next. */
    private Path copyOf(Path db) throws IOException {
        Path copy = Files.createTempDirectory(dir, "look").resolve("app.db");
        Files.copy(db, copy);
        for (String suffix : new String[] {"-wal", "-journal"}) {
            Path companion = db.resolveSibling(db.getFileName() + suffix);
            if (Files.exists(companion)) {
                Files.copy(companion, copy.resolveSibling("app.db" + suffix));
            }
        }
        return copy;
    }
}
