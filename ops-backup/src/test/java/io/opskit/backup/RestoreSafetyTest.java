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
