package io.opskit.backup.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.backup.BackupCopy;
import io.opskit.backup.BackupManifest;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.BackupSources;
import io.opskit.backup.KeyFile;
import io.opskit.backup.VerifyLevel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copies between a local repository and one on S3, both ways (the 3-2-1 rule's off-site copy). */
class S3CopyTest {

    static S3ProxyServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.inMemory();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void copy_localToS3AndBack_verifiedOnArrivalAndRestorable() throws Exception {
        Path db = dir.resolve("app.db");
        SqliteFixture.create(db, 500, 500);
        KeyFile key = KeyFile.loadOrCreate(dir.resolve("backup.key"));
        BackupRepository local = BackupRepository.builder().directory(dir.resolve("local")).keyProvider(key)
                .source(BackupSources.sqlite("app-db", db)).build();
        BackupManifest made = local.backup();
        try (S3BackupStore s3 = server.store(server.newBucket(), "offsite")) {
            BackupRepository offsite = BackupRepository.builder().store(s3).keyProvider(key).build();

            List<BackupCopy.Result> up = BackupCopy.builder().from(local).to(offsite).build().copyAll();
            assertThat(up).singleElement().isInstanceOf(BackupCopy.Copied.class);
            assertThat(offsite.list()).extracting(BackupManifest::id).containsExactly(made.id());
            assertThat(offsite.verify(made.id(), VerifyLevel.TEST_RESTORE).verifiedAtLeast(VerifyLevel.TEST_RESTORE)).isTrue();

            BackupRepository back = BackupRepository.builder().directory(dir.resolve("back")).keyProvider(key).build();
            BackupCopy.Result down = BackupCopy.builder().from(offsite).to(back).build().copy(made.id());
            assertThat(down).isInstanceOf(BackupCopy.Copied.class);
            Path restored = dir.resolve("restored.db");
            back.restore(made.id(), "app-db", restored.toString(), false);
            assertThat(SqliteFixture.count(restored)).isEqualTo(500);

            assertThat(BackupCopy.builder().from(local).to(offsite).build().copy(made.id()))
                    .isInstanceOf(BackupCopy.AlreadyThere.class);
        }
    }
}
