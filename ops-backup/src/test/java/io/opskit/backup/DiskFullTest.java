package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A repository on a full file system: a size-limited tmpfs (needs root, as CI runs). */
class DiskFullTest {

    @TempDir
    Path dir;

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    @Test
    void backup_repositoryRunsOutOfSpace_failsClearlyAndLeavesNoPartialFile() throws Exception {
        Path mount = dir.resolve("small");
        Files.createDirectories(mount);
        if (run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString()) != 0) {
            String message = "cannot mount a size-limited tmpfs (needs root): disk-full test not run";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(message);
            }
            assumeTrue(false, message);
        }
        try {
            Path data = dir.resolve("data");
            Files.createDirectories(data);
            byte[] noise = new byte[3 << 20];
            new Random(1).nextBytes(noise);
            Files.write(data.resolve("uploads.bin"), noise);
            Path repo = mount.resolve("repo");
            BackupRepository repository = BackupRepository.builder().directory(repo)
                    .keyProvider(KeyFile.loadOrCreate(dir.resolve("k")))
                    .source(BackupSources.files("uploads", data)).compression(Compression.none()).build();

            assertThatThrownBy(repository::backup).isInstanceOf(BackupFailedException.class)
                    .hasMessageContaining("no space left")
                    .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));

            assertThat(repository.list()).isEmpty();
            try (Stream<Path> files = Files.walk(repo)) {
                assertThat(files.filter(Files::isRegularFile)).as("no partial file is left").isEmpty();
            }
        } finally {
            assertThat(run("umount", mount.toString())).isZero();
        }
    }
}
