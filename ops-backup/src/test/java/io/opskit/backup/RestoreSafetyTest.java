package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.backup.BackupSource;
import io.opskit.backup.internal.FileArchive;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreSafetyTest {

    @TempDir
    Path dir;

    /** A files source that writes a hand-made archive, as a hostile or buggy writer could. */
    private static BackupSource crafted(String entryPath, int type) {
        return new BackupSource() {
            @Override
            public String name() {
                return "crafted";
            }

            @Override
            public String kind() {
                return "files";
            }

            @Override
            public void writeSnapshot(OutputStream out) throws IOException {
                DataOutputStream data = new DataOutputStream(out);
                FileArchive.writeStart(data);
                FileArchive.writeEntry(data, FileArchive.FILE, "ok.txt", 0644, 0, 2, "");
                data.write("ok".getBytes());
                FileArchive.writeEntry(data, type, entryPath, 0644, 0, type == FileArchive.FILE ? 4 : 0, "/etc/passwd");
                if (type == FileArchive.FILE) {
                    data.write("evil".getBytes());
                }
                FileArchive.writeEnd(data);
                data.flush();
            }
        };
    }

    private BackupRepository repository(BackupSource source) {
        return BackupRepository.builder().directory(dir.resolve("repo")).keyProvider(KeyFile.loadOrCreate(dir.resolve("k")))
                .source(source).verifyAfterBackup(false).build();
    }

    /** A database whose index no longer matches its table: well formed page by page, wrong as a whole. */
    private Path databaseWithBrokenIndex() throws Exception {
        Path db = dir.resolve("broken-index.db");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
             java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t(a, b)");
            s.execute("CREATE INDEX i ON t(a)");
            s.execute("INSERT INTO t VALUES (1, 10), (2, 20)");
            s.execute("PRAGMA writable_schema = ON");
            s.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX i ON t(b)' WHERE name = 'i'");
            s.execute("PRAGMA writable_schema = OFF");
        }
        return db;
    }

    @Test
    void restore_fullCheck_refusesWhatTheQuickCheckPasses_andLeavesTheTargetAlone() throws Exception {
        Path source = databaseWithBrokenIndex();
        KeyFile key = KeyFile.loadOrCreate(dir.resolve("k"));
        BackupRepository quick = BackupRepository.builder().directory(dir.resolve("repo")).keyProvider(key)
                .source(BackupSources.sqlite("db", source)).build();
        String id = quick.backup().id();
        BackupRepository full = BackupRepository.builder().directory(dir.resolve("repo")).keyProvider(key)
                .restoreCheck(RestoreCheck.FULL).build();
        Path target = dir.resolve("live.db");
        Files.writeString(target, "the live database");

        assertThatThrownBy(() -> full.restore(id, target.toString(), true))
                .isInstanceOf(BackupIntegrityException.class)
                .hasMessageContaining("integrity_check").hasMessageContaining("missing from index i")
                .hasMessageContaining("not touched");
        assertThat(target).hasContent("the live database");
        assertThat(dir.toFile().list()).noneMatch(name -> name.contains(".restore-"));
        assertThatThrownBy(() -> quick.verify(id, VerifyLevel.TEST_RESTORE))
                .isInstanceOf(BackupIntegrityException.class).hasMessageContaining("integrity_check");

        // quick_check looks at pages and records, not at whether indexes agree with their tables.
        Path quickTarget = dir.resolve("quick.db");
        quick.restore(id, quickTarget.toString(), false);
        assertThat(Files.size(quickTarget)).isEqualTo(Files.size(source));
    }

    @Test
    void restoreCheck_auto_scansUnlessTheSameBytesPassedTheFullCheck() {
        assertThat(RestoreCheck.AUTO.pragmaFor(false)).isEqualTo("quick_check");
        assertThat(RestoreCheck.AUTO.pragmaFor(true)).as("already passed integrity_check at level 3").isNull();
        assertThat(RestoreCheck.QUICK.pragmaFor(true)).isEqualTo("quick_check");
        assertThat(RestoreCheck.FULL.pragmaFor(true)).isEqualTo("integrity_check");
    }

    @Test
    void restore_verifiedBackup_restoresWithTheOpenCheck() throws Exception {
        Path source = dir.resolve("good.db");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + source);
             java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t(a)");
            s.execute("INSERT INTO t VALUES (1), (2), (3)");
        }
        BackupRepository repository = BackupRepository.builder().directory(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("k"))).source(BackupSources.sqlite("db", source))
                .verifyLevel(VerifyLevel.TEST_RESTORE).build();
        BackupManifest made = repository.backup();
        assertThat(made.verifiedAtLeast(VerifyLevel.TEST_RESTORE)).isTrue();

        Path target = dir.resolve("restored.db");
        repository.restore(made.id(), target.toString(), false);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + target);
             java.sql.ResultSet rows = c.createStatement().executeQuery("SELECT count(*) FROM t")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isEqualTo(3);
        }
    }

    @Test
    void restore_entryWithDotDot_isRefusedAndNothingWritten() throws Exception {
        BackupRepository repository = repository(crafted("../escaped.txt", FileArchive.FILE));
        String id = repository.backup().id();
        Path target = dir.resolve("target");

        assertThatThrownBy(() -> repository.restore(id, target.toString(), false))
                .isInstanceOf(RestoreRefusedException.class).hasMessageContaining("../escaped.txt")
                .hasMessageContaining("escape");
        assertThat(dir.resolve("escaped.txt")).doesNotExist();
        assertThat(target).doesNotExist();
        assertThatThrownBy(() -> repository.verify(id, VerifyLevel.TEST_RESTORE))
                .isInstanceOf(BackupIntegrityException.class).hasMessageContaining("refuse");
    }

    @Test
    void restore_absolutePath_isRefused() throws Exception {
        Path outside = dir.resolve("abs.txt");
        BackupRepository repository = repository(crafted(outside.toString(), FileArchive.FILE));
        String id = repository.backup().id();

        assertThatThrownBy(() -> repository.restore(id, dir.resolve("target").toString(), false))
                .isInstanceOf(RestoreRefusedException.class).hasMessageContaining("escape");
        assertThat(outside).doesNotExist();
    }

    @Test
    void restore_linkEntry_isRefused() throws Exception {
        BackupRepository repository = repository(crafted("link", FileArchive.LINK));
        String id = repository.backup().id();
        Path target = dir.resolve("target");

        assertThatThrownBy(() -> repository.restore(id, target.toString(), false))
                .isInstanceOf(RestoreRefusedException.class).hasMessageContaining("link");
        assertThat(target).doesNotExist();
    }

    @Test
    void backup_directoryWithSymlink_skipsLinkAndRestoresRest() throws Exception {
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        Files.writeString(src.resolve("a.txt"), "a");
        Files.createSymbolicLink(src.resolve("passwd"), Path.of("/etc/passwd"));
        BackupRepository repository = repository(BackupSources.files("src", src));
        String id = repository.backup().id();

        repository.restore(id, dir.resolve("out").toString(), false);

        assertThat(dir.resolve("out/a.txt")).hasContent("a");
        assertThat(dir.resolve("out/passwd")).doesNotExist();
    }
}
