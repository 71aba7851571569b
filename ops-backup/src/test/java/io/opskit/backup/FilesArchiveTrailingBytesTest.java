package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.backup.BackupSource;
import io.opskit.backup.internal.FileArchive;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding 7: bytes after the files archive's end marker were accepted by level 3 and restore. */
class FilesArchiveTrailingBytesTest {

    @TempDir
    Path dir;

    /** A "files" source whose container is well formed, then carries extra bytes after its end marker. */
    private static BackupSource filesWithTrailer(byte[] trailer) {
        return new BackupSource() {
            @Override
            public String name() {
                return "uploads";
            }

            @Override
            public String kind() {
                return "files";
            }

            @Override
            public void writeSnapshot(OutputStream out) throws IOException {
                DataOutputStream data = new DataOutputStream(out);
                FileArchive.writeStart(data);
                byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
                FileArchive.writeEntry(data, FileArchive.FILE, "a.txt", 0644, 0L, body.length, "");
                data.write(body);
                FileArchive.writeEnd(data);
                data.write(trailer);
                data.flush();
            }
        };
    }

    private BackupRepository repository(byte[] trailer) {
        return BackupRepository.builder().directory(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("backup.key")))
                .scratchDirectory(dir.resolve("scratch"))
                .verifyAfterBackup(false)
                .source(filesWithTrailer(trailer)).build();
    }

    @Test
    void finding7_bytesAfterTheEndMarker_failLevelThree_andTheFailureIsRecorded() {
        BackupRepository repository = repository("smuggled".getBytes(StandardCharsets.UTF_8));
        BackupManifest made = repository.backup();

        assertThatThrownBy(() -> repository.verify(made.id(), VerifyLevel.TEST_RESTORE))
                .isInstanceOf(BackupIntegrityException.class).hasMessageContaining("bytes after its end marker");
        assertThat(repository.manifest(made.id()).lastVerification()).hasValueSatisfying(v -> assertThat(v.passed()).isFalse());
    }

    @Test
    void finding7_bytesAfterTheEndMarker_areRefusedByRestore_andNothingIsWritten() {
        BackupRepository repository = repository(new byte[] {0});
        BackupManifest made = repository.backup();
        Path target = dir.resolve("restored");

        assertThatThrownBy(() -> repository.restore(made.id(), target.toString(), false))
                .hasMessageContaining("bytes after its end marker");
        assertThat(target).doesNotExist();
    }

    @Test
    void finding7_aWellFormedArchive_stillPassesLevelThree() {
        BackupRepository repository = repository(new byte[0]);
        BackupManifest made = repository.backup();

        assertThat(repository.verify(made.id(), VerifyLevel.TEST_RESTORE).verifiedAtLeast(VerifyLevel.TEST_RESTORE)).isTrue();
    }
}
