package io.opskit.backup.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.backup.BackupSource;
import io.opskit.backup.BackupManifest;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.BackupSources;
import io.opskit.backup.KeyFile;
import io.opskit.backup.RepositoryLockedException;
import io.opskit.backup.VerifyLevel;
import io.opskit.backup.retention.RetentionPlan;
import io.opskit.backup.retention.RetentionPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A BackupRepository on S3 (S3Proxy on loopback): everything a user does with a local one. */
class S3RepositoryTest {

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

    private S3BackupStore store() {
        return S3BackupStore.builder().bucket(server.newBucket()).prefix("prod/app1").environment(server.environment())
                .partSize(S3BackupStore.MIN_PART_SIZE).archiveStorageClass("STANDARD_IA").build();
    }

    @Test
    void backupListVerifyRestorePrune_onS3_sameAsLocal() throws Exception {
        Path db = dir.resolve("app.db");
        SqliteFixture.create(db, 3000, 4000); // ~12 MB, incompressible: archives span three parts
        try (S3BackupStore s3 = store()) {
            BackupRepository repository = BackupRepository.builder().store(s3)
                    .keyProvider(KeyFile.loadOrCreate(dir.resolve("backup.key")))
                    .source(BackupSources.sqlite("app-db", db)).build();

            BackupManifest first = repository.backup();
            SqliteFixture.create(db, 10, 100);
            BackupManifest second = repository.backup();

            assertThat(first.verifiedAtLeast(VerifyLevel.DECODE)).isTrue();
            assertThat(first.sources().get(0).storedBytes()).isGreaterThan(2 * S3BackupStore.MIN_PART_SIZE);
            assertThat(repository.list()).extracting(BackupManifest::id).containsExactly(first.id(), second.id());
            for (VerifyLevel level : VerifyLevel.values()) {
                assertThat(repository.verify(second.id(), level).verifiedAtLeast(level)).as(level.toString()).isTrue();
            }
            Path restored = dir.resolve("restored.db");
            repository.restore(first.id(), restored.toString(), false);
            assertThat(SqliteFixture.count(restored)).isEqualTo(3000);
            Path restoredSecond = dir.resolve("restored-second.db");
            repository.restore(second.id(), restoredSecond.toString(), false);
            assertThat(SqliteFixture.count(restoredSecond)).isEqualTo(3010);

            RetentionPlan plan = repository.prune(RetentionPolicy.builder().keepLast(1).build(), true);
            assertThat(plan.toDelete()).extracting(r -> r.id()).containsExactly(first.id());
            assertThat(repository.list()).extracting(BackupManifest::id).containsExactly(second.id());
            assertThat(s3.list("")).allMatch(k -> k.startsWith(second.id() + "/"));
            assertThat(s3.list("")).isNotEmpty();
        }
    }

    @Test
    void backup_whileAnotherWriterHoldsTheLease_refused() throws Exception {
        try (S3BackupStore s3 = store()) {
            CountDownLatch writing = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            BackupSource slow = new BackupSource() {
                @Override
                public String name() {
                    return "slow";
                }

                @Override
                public String kind() {
                    return "files";
                }

                @Override
                public void writeSnapshot(OutputStream out) throws IOException {
                    writing.countDown();
                    try {
                        if (!release.await(60, TimeUnit.SECONDS)) {
                            throw new IOException("never released");
                        }
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    throw new IOException("the first writer gives up; only the lease matters here");
                }
            };
            KeyFile key = KeyFile.loadOrCreate(dir.resolve("backup.key"));
            BackupRepository first = BackupRepository.builder().store(s3).keyProvider(key).source(slow).build();
            CompletableFuture<Object> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return first.backup();
                } catch (RuntimeException e) {
                    return e;
                }
            });
            assertThat(writing.await(60, TimeUnit.SECONDS)).isTrue();

            Path db = dir.resolve("other.db");
            SqliteFixture.create(db, 10, 10);
            BackupRepository second = BackupRepository.builder().store(s3).keyProvider(key)
                    .source(BackupSources.sqlite("other", db)).build();
            assertThatThrownBy(second::backup).isInstanceOf(RepositoryLockedException.class)
                    .hasMessageContaining("locked by");

            release.countDown();
            assertThat(running.get(60, TimeUnit.SECONDS)).isInstanceOf(RuntimeException.class);
            BackupManifest made = second.backup();
            assertThat(second.list()).extracting(BackupManifest::id).containsExactly(made.id());
            assertThat(s3.list("")).allMatch(k -> k.startsWith(made.id() + "/"));
        }
    }

    @Test
    void restoredStorageClasses_archiveAsConfigured_manifestStandard() throws Exception {
        Path db = dir.resolve("app.db");
        SqliteFixture.create(db, 10, 10);
        try (S3BackupStore s3 = store()) {
            BackupRepository repository = BackupRepository.builder().store(s3)
                    .keyProvider(KeyFile.loadOrCreate(dir.resolve("backup.key")))
                    .source(BackupSources.sqlite("app-db", db)).build();
            BackupManifest made = repository.backup();
            List<String> keys = s3.list(made.id() + "/");
            assertThat(keys).anyMatch(k -> k.endsWith(".bin")).anyMatch(k -> k.endsWith("manifest.json"));
            for (String key : keys) {
                String cls = s3.client().headObject(r -> r.bucket(s3.bucket()).key(s3.objectKey(key))).storageClassAsString();
                assertThat(cls).as(key).isEqualTo(key.endsWith(".bin") ? "STANDARD_IA" : cls == null ? null : "STANDARD");
            }
        }
    }
}
