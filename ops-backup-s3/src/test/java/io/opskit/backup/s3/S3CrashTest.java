package io.opskit.backup.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.backup.BackupManifest;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.BackupSources;
import io.opskit.backup.KeyFile;
import io.opskit.testsupport.FakeClock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a writer in the middle of a multipart upload to S3. */
class S3CrashTest {

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
    void killedWriter_midUpload_leavesNothingVisibleAndTheRepositoryUsable() throws Exception {
        String bucket = server.newBucket();
        Path key = dir.resolve("backup.key");
        KeyFile.loadOrCreate(key);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                S3CrashChild.class.getName(), bucket, "repo", key.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(server.environment());
        Process child = pb.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("WRITING");
            // Kill once a part of the archive is on the server (a bounded wait on a condition, not on time).
            for (int i = 0; i < 2000 && server.admin().listMultipartUploads(r -> r.bucket(bucket)).uploads().isEmpty(); i++) {
                Thread.onSpinWait();
            }
            assertThat(server.admin().listMultipartUploads(r -> r.bucket(bucket)).uploads()).isNotEmpty();
            child.destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }

        FakeClock clock = FakeClock.at(Instant.now().plus(Duration.ofHours(1))); // the dead writer's lease has expired
        try (S3BackupStore s3 = S3BackupStore.builder().bucket(bucket).prefix("repo").environment(server.environment())
                .clock(clock).build()) {
            assertThat(s3.list("")).as("no visible partial object").isEmpty();
            Path db = dir.resolve("app.db");
            SqliteFixture.create(db, 100, 100);
            BackupRepository repository = BackupRepository.builder().store(s3).clock(clock)
                    .keyProvider(KeyFile.loadOrCreate(key)).source(BackupSources.sqlite("app-db", db)).build();
            assertThat(repository.list()).isEmpty();

            BackupManifest made = repository.backup();

            List<BackupManifest> listed = repository.list();
            assertThat(listed).extracting(BackupManifest::id).containsExactly(made.id());
            assertThat(server.admin().listMultipartUploads(r -> r.bucket(bucket)).uploads())
                    .as("the next writer aborted the dead one's upload").isEmpty();
            Path restored = dir.resolve("restored.db");
            repository.restore(made.id(), restored.toString(), false);
            assertThat(SqliteFixture.count(restored)).isEqualTo(100);
        }
    }
}
