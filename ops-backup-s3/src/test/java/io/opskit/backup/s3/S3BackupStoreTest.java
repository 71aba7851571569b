package io.opskit.backup.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.backup.BackupStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

class S3BackupStoreTest {

    static S3ProxyServer server;
    String bucket;
    S3BackupStore store;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.inMemory();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @BeforeEach
    void newBucket() {
        bucket = server.newBucket();
        store = server.store(bucket, "repo");
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] read(BackupStore store, String key) throws IOException {
        try (InputStream in = store.open(key)) {
            return in.readAllBytes();
        }
    }

    @Test
    void createCommit_smallObject_readableUnderPrefix() throws Exception {
        try (BackupStore.PendingObject out = store.create("b1/manifest.json")) {
            out.write("{}".getBytes(StandardCharsets.UTF_8));
            out.commit();
        }
        assertThat(read(store, "b1/manifest.json")).asString(StandardCharsets.UTF_8).isEqualTo("{}");
        assertThat(store.size("b1/manifest.json")).contains(2L);
        HeadObjectResponse head = server.admin().headObject(r -> r.bucket(bucket).key("repo/b1/manifest.json")
                .checksumMode(software.amazon.awssdk.services.s3.model.ChecksumMode.ENABLED));
        assertThat(head.contentLength()).isEqualTo(2L);
        assertThat(head.checksumCRC32C()).as("a CRC32C, when the server keeps one, is the one sent")
                .isIn(null, io.opskit.backup.s3.internal.S3Pending.crc32c("{}".getBytes(StandardCharsets.UTF_8), 0, 2));
    }

    @Test
    void createCommit_multipart_sameBytesBack() throws Exception {
        byte[] data = random((int) (S3BackupStore.MIN_PART_SIZE * 2 + 12345), 1);
        S3BackupStore small = S3BackupStore.builder().bucket(bucket).prefix("mp").environment(server.environment())
                .partSize(S3BackupStore.MIN_PART_SIZE).build();
        try (BackupStore.PendingObject out = small.create("b1/app.bin")) {
            for (int off = 0; off < data.length; off += 7000) {
                out.write(data, off, Math.min(7000, data.length - off));
            }
            assertThat(small.list("")).as("nothing visible before commit").isEmpty();
            out.commit();
        }
        assertThat(MessageDigest.getInstance("SHA-256").digest(read(small, "b1/app.bin")))
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
        assertThat(server.admin().listMultipartUploads(r -> r.bucket(bucket)).uploads()).isEmpty();
    }

    @Test
    void close_withoutCommit_nothingVisibleAndUploadAborted() throws Exception {
        S3BackupStore small = S3BackupStore.builder().bucket(bucket).environment(server.environment())
                .partSize(S3BackupStore.MIN_PART_SIZE).build();
        try (BackupStore.PendingObject out = small.create("b1/app.bin")) {
            out.write(random((int) S3BackupStore.MIN_PART_SIZE + 10, 2));
        }
        assertThat(small.list("")).isEmpty();
        assertThat(small.size("b1/app.bin")).isEmpty();
        assertThat(server.admin().listMultipartUploads(r -> r.bucket(bucket)).uploads()).isEmpty();
    }

    @Test
    void create_existingKey_refused() throws Exception {
        try (BackupStore.PendingObject out = store.create("k")) {
            out.write(1);
            out.commit();
        }
        assertThatThrownBy(() -> store.create("k")).isInstanceOf(FileAlreadyExistsException.class);
    }

    @Test
    void commit_raceOfTwoWriters_exactlyOneWins() throws Exception {
        int writers = 8;
        List<BackupStore.PendingObject> pending = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            BackupStore.PendingObject out = store.create("race/manifest.json");
            out.write(("writer " + i).getBytes(StandardCharsets.UTF_8));
            pending.add(out);
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (BackupStore.PendingObject out : pending) {
            results.add(pool.submit(() -> {
                go.await();
                try {
                    out.commit();
                    return true;
                } catch (FileAlreadyExistsException e) {
                    return false;
                }
            }));
        }
        go.countDown();
        int won = 0;
        for (Future<Boolean> f : results) {
            won += f.get() ? 1 : 0;
        }
        pool.shutdown();
        assertThat(won).isEqualTo(1);
        assertThat(new String(read(store, "race/manifest.json"), StandardCharsets.UTF_8)).startsWith("writer ");
    }

    @Test
    void commit_multipartRace_exactlyOneWins() throws Exception {
        S3BackupStore small = S3BackupStore.builder().bucket(bucket).environment(server.environment())
                .partSize(S3BackupStore.MIN_PART_SIZE).build();
        BackupStore.PendingObject a = small.create("x/app.bin");
        BackupStore.PendingObject b = small.create("x/app.bin");
        a.write(random((int) S3BackupStore.MIN_PART_SIZE + 1, 3));
        b.write(random((int) S3BackupStore.MIN_PART_SIZE + 1, 4));
        a.commit();
        assertThatThrownBy(b::commit).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(read(small, "x/app.bin")).isEqualTo(random((int) S3BackupStore.MIN_PART_SIZE + 1, 3));
        assertThat(server.admin().listMultipartUploads(r -> r.bucket(bucket)).uploads()).isEmpty();
    }

    @Test
    void writeIfVersion_conditions_holdOrLose() throws Exception {
        Optional<String> v1 = store.writeIfVersion(".lock", "a".getBytes(StandardCharsets.UTF_8), null);
        assertThat(v1).isPresent();
        assertThat(store.writeIfVersion(".lock", "b".getBytes(StandardCharsets.UTF_8), null)).isEmpty();
        Optional<String> v2 = store.writeIfVersion(".lock", "c".getBytes(StandardCharsets.UTF_8), v1.get());
        assertThat(v2).isPresent().isNotEqualTo(v1);
        assertThat(store.writeIfVersion(".lock", "d".getBytes(StandardCharsets.UTF_8), v1.get())).isEmpty();
        BackupStore.Versioned now = store.readVersioned(".lock").orElseThrow();
        assertThat(new String(now.bytes(), StandardCharsets.UTF_8)).isEqualTo("c");
        assertThat(now.version()).isEqualTo(v2.get());
        assertThat(store.list("")).as("the lease is not listed").isEmpty();
    }

    @Test
    void list_1500Objects_pagesThroughAll() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Integer.getInteger("t.threads", 8));
        List<Future<?>> writes = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            String key = String.format("page/%05d", i);
            writes.add(pool.submit(() -> {
                try (BackupStore.PendingObject out = store.create(key)) {
                    out.write(7);
                    out.commit();
                }
                return null;
            }));
        }
        for (Future<?> f : writes) {
            f.get();
        }
        pool.shutdown();
        List<String> keys = store.list("page/");
        assertThat(keys).hasSize(1500).isSorted().startsWith("page/00000").endsWith("page/01499");
    }

    @Test
    void storageClass_archivesAsConfigured_manifestsStandard() throws Exception {
        S3BackupStore ia = S3BackupStore.builder().bucket(bucket).prefix("ia").environment(server.environment())
                .archiveStorageClass("STANDARD_IA").build();
        for (String key : List.of("b/app.bin", "b/manifest.json")) {
            try (BackupStore.PendingObject out = ia.create(key)) {
                out.write(1);
                out.commit();
            }
        }
        HeadObjectResponse archive = server.admin().headObject(r -> r.bucket(bucket).key("ia/b/app.bin"));
        HeadObjectResponse manifest = server.admin().headObject(r -> r.bucket(bucket).key("ia/b/manifest.json"));
        assertThat(archive.storageClassAsString()).isEqualTo("STANDARD_IA");
        assertThat(manifest.storageClassAsString()).isIn(null, "STANDARD");
    }

    @Test
    void open_missing_noSuchFile() throws Exception {
        assertThatThrownBy(() -> store.open("none")).isInstanceOf(NoSuchFileException.class);
        assertThat(store.readVersioned("none".toString()).isEmpty()).isTrue();
    }

    @Test
    void delete_removesAndMissingIsFine() throws Exception {
        try (BackupStore.PendingObject out = store.create("d/x")) {
            out.write(1);
            out.commit();
        }
        store.delete("d/x");
        store.delete("d/x");
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void removeIncomplete_staleUpload_aborted() throws Exception {
        server.admin().createMultipartUpload(r -> r.bucket(bucket).key("repo/old/app.bin"));
        server.admin().createMultipartUpload(r -> r.bucket(bucket).key("elsewhere/app.bin"));
        assertThat(store.removeIncomplete(Duration.ZERO)).isEqualTo(1);
        assertThat(server.admin().listMultipartUploads(r -> r.bucket(bucket)).uploads())
                .extracting(u -> u.key()).containsExactly("elsewhere/app.bin");
    }

    @Test
    void toString_holdsNoSecret() {
        assertThat(store.toString()).contains(bucket).doesNotContain(S3ProxyServer.SECRET_KEY)
                .doesNotContain(S3ProxyServer.ACCESS_KEY);
    }

    @Test
    void key_invalid_refused() {
        assertThatThrownBy(() -> store.create("../x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("../x");
    }
}
