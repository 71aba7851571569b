package io.opskit.backup.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 1: the SQLite backup API's return code came from the source handle, so a copy cut short
 * by a full destination looked like a success. On a real 2 MiB tmpfs (tests run as root; under
 * CI=true a tmpfs that cannot be mounted fails the test).
 */
class SqliteSnapshotFullDiskTest {

    @TempDir
    Path dir;

    private Path mount;

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    @BeforeEach
    void smallDisk() throws Exception {
        mount = dir.resolve("small");
        Files.createDirectories(mount);
        if (run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.toString()) != 0) {
            String message = "cannot mount a 2 MiB tmpfs (needs root, as CI runs): full-disk snapshot test not run";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(message);
            }
            mount = null;
            assumeTrue(false, message);
        }
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            assertThat(run("umount", mount.toString())).isZero();
        }
    }

    private Path database(int rows) throws Exception {
        return database(dir.resolve("app.db"), rows);
    }

    private static Path database(Path db, int rows) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)");
            s.execute("BEGIN");
            for (int i = 0; i < rows; i++) {
                s.execute("INSERT INTO notes(body) VALUES ('" + "x".repeat(200) + i + "')");
            }
            s.execute("COMMIT");
        }
        return db;
    }

    @Test
    void finding1_snapshotToAFullDisk_failsNamingTheFullDisk_insteadOfReturningAShortCopy() throws Exception {
        Path db = database(20_000); // about 4.5 MiB: does not fit in 2 MiB
        assertThat(Files.size(db)).isGreaterThan(3L << 20);
        Path copy = mount.resolve("copy.db");

        assertThatThrownBy(() -> SqliteSource.snapshotTo(db, copy)).isInstanceOf(IOException.class)
                .hasMessageContaining("No space left on device").hasMessageContaining(mount.toString());
    }

    @Test
    void finding1_snapshotThatFits_isWholeAndChecksOk() throws Exception {
        Path db = database(2_000);
        Path copy = mount.resolve("copy.db");

        SqliteSource.snapshotTo(db, copy);

        assertThat(SqliteSource.openCheck(copy)).isEqualTo("ok");
        assertThat(Files.size(copy)).isEqualTo(Files.size(db));
    }

    @Test
    void finding1_repositorySnapshotDirectory_movesTheCopyOffTheFullDisk_andIsCheckedFirstWithoutIt() throws Exception {
        Path db = database(mount.resolve("app.db"), 5_000); // about 1.2 MiB: a second copy does not fit
        assertThat(Files.size(db)).isBetween(1L << 20, 3L << 19);
        io.opskit.backup.BackupRepository.Builder base = io.opskit.backup.BackupRepository.builder()
                .directory(dir.resolve("repo")).keyProvider(io.opskit.backup.KeyFile.loadOrCreate(dir.resolve("k")))
                .source(io.opskit.backup.BackupSources.sqlite("app-db", db));

        assertThatThrownBy(() -> base.build().backup()).isInstanceOf(io.opskit.backup.BackupFailedException.class)
                .hasMessageContaining("not enough free space for the snapshot").hasMessageContaining(mount.toString());

        io.opskit.backup.BackupRepository moved = base.snapshotDirectory(dir.resolve("snapshots")).build();
        io.opskit.backup.BackupManifest made = moved.backup();
        assertThat(made.sources().get(0).snapshotBytes()).isEqualTo(Files.size(db));
        assertThat(moved.list()).hasSize(1);
        try (var left = Files.list(dir.resolve("snapshots"))) {
            assertThat(left).isEmpty();
        }
        assertThatThrownBy(() -> base.snapshotDirectory(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessage("snapshotDirectory was already set");
    }
}
