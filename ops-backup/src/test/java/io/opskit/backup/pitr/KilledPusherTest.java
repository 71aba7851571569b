package io.opskit.backup.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.backup.KeyFile;
import io.opskit.backup.cli.BackupCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a wal-push process in the middle of a segment: nothing partial is visible, the retry lands once. */
class KilledPusherTest {

    @TempDir
    Path dir;

    @Test
    void walPush_killedMidSegment_leavesNoPartialObject_andTheRetryLandsOnce() throws Exception {
        Path repo = dir.resolve("repo");
        Path key = dir.resolve("key");
        KeyFile.loadOrCreate(key);
        Path wal = Files.createDirectories(dir.resolve("pg_wal")).resolve("000000010000000000000020");
        byte[] bytes = new byte[32 << 20]; // a 32 MiB segment, incompressible: the push takes a while
        new Random(7).nextBytes(bytes);
        Files.write(wal, bytes);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of(java, "-cp", System.getProperty("java.class.path"), BackupCli.class.getName(),
                "wal-push", "--repo", repo.toString(), "--key-file", key.toString(), wal.toString());

        Process first = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Path tmp = repo.resolve("wal/.tmp");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (partBytes(tmp) < (1 << 20) && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(2); // watching another process's progress
        }
        assertThat(first.isAlive()).as("still pushing when killed").isTrue();
        first.destroyForcibly().waitFor(); // SIGKILL

        WalArchive archive = WalArchive.builder().repository(repo).keyProvider(KeyFile.load(key)).build();
        assertThat(repo.resolve("wal/00000001/000000010000000000000020")).doesNotExist();
        assertThat(archive.fetch("000000010000000000000020", dir.resolve("x"))).as("no partial object visible").isFalse();

        Process retry = new ProcessBuilder(cmd).redirectErrorStream(true).start(); // PostgreSQL retries
        String out = new String(retry.getInputStream().readAllBytes());
        assertThat(retry.waitFor()).as(out).isZero();
        Process again = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(again.waitFor()).isZero();

        assertThat(archive.fetch("000000010000000000000020", dir.resolve("back"))).isTrue();
        assertThat(Files.mismatch(dir.resolve("back"), wal)).isEqualTo(-1L);
        try (Stream<Path> objects = Files.list(repo.resolve("wal/00000001"))) {
            assertThat(objects.map(p -> p.getFileName().toString())).containsExactly("000000010000000000000020");
        }
    }

    private static long partBytes(Path tmp) {
        if (!Files.isDirectory(tmp)) {
            return 0;
        }
        try (Stream<Path> parts = Files.list(tmp)) {
            return parts.mapToLong(p -> p.toFile().length()).sum();
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
