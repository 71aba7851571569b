package io.opskit.backup.pitr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.backup.RestoreOptions;
import io.opskit.api.backup.RestoreTarget;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.KeyFile;
import io.opskit.backup.RestoreCrashChild;
import io.opskit.backup.RestoreRefusedException;
import io.opskit.backup.pitr.internal.LocalCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The built-in pg-base strategy restores a base backup as a data directory that starts on its own. */
class PgBaseRestoreStrategyTest {

    @Test
    void finding9_pgBaseBackup_restoresThroughItsStrategyToADirectory_andAServerStartsOnIt() throws Exception {
        try (PgFixture pg = PgFixture.start()) {
            pg.execute("create table items(id int primary key)");
            pg.execute("insert into items select g from generate_series(1, 250) g");
            String baseId = pg.baseBackup(2);
            BackupRepository repository = BackupRepository.builder().directory(pg.repo).keyProvider(KeyFile.load(pg.keyFile))
                    .build();

            Path occupied = pg.newDataDir("occupied");
            Files.writeString(occupied.resolve("PG_VERSION"), "15\n");
            assertThatThrownBy(() -> repository.restore(baseId, RestoreTarget.directory(occupied), RestoreOptions.forced()))
                    .isInstanceOf(RestoreRefusedException.class).hasMessageContaining("is not empty");

            Path data = pg.newDataDir("plain");
            repository.restore(baseId, RestoreTarget.directory(data), RestoreOptions.defaults());

            assertThat(data.resolve("recovery.signal")).doesNotExist();
            Path sock = pg.newDataDir("plain-run");
            try (LocalCluster server = LocalCluster.start(data, sock, List.of("archive_mode=off"), false)) {
                PgFixture.awaitPromoted(server);
                assertThat(server.query("postgres", "postgres", "select count(*) from items")).isEqualTo("250");
            }
            // The fixture stops the server at once: let the archiver finish first, or a wal-push still
            // writing into the repository races the directory's removal.
            pg.awaitArchived(pg.writeAndSwitch());
        }
    }

    @Test
    void finding4_pgBaseRestoreKilledAtEveryStep_neverLeavesAHalfDataDirectory_andTheNextRestoreLeavesNoLeftovers()
            throws Exception {
        try (PgFixture pg = PgFixture.start()) {
            pg.execute("create table items(id int primary key)");
            pg.execute("insert into items select g from generate_series(1, 100) g");
            String baseId = pg.baseBackup(2);
            BackupRepository repository = BackupRepository.builder().directory(pg.repo).keyProvider(KeyFile.load(pg.keyFile))
                    .build();
            int k = 1;
            for (; ; k++) {
                Path data = pg.newDataDir("killed-" + k).resolve("data");
                boolean finished = restoreInChild(pg, baseId, data, k);
                if (!finished) {
                    assertThat(Files.exists(data)).as("a data directory at the target after a kill at step %d", k).isFalse();
                    repository.restore(baseId, RestoreTarget.directory(data), RestoreOptions.defaults());
                }
                assertThat(data.resolve("PG_VERSION")).exists();
                assertThat(data.resolve("backup_label")).exists();
                try (Stream<Path> left = Files.list(data.getParent())) {
                    assertThat(left.map(p -> p.getFileName().toString()).toList()).as("after step %d", k)
                            .containsExactly("data");
                }
                if (finished) {
                    break;
                }
            }
            assertThat(k).as("crash points passed").isGreaterThanOrEqualTo(3);
            pg.awaitArchived(pg.writeAndSwitch());
        }
    }

    /** One restore in a child JVM halted at crash point {@code k}; true when it ran to the end. */
    private static boolean restoreInChild(PgFixture pg, String id, Path target, int k) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Dopskit.backup.crashAt=" + k,
                "-cp", System.getProperty("java.class.path"), RestoreCrashChild.class.getName(),
                pg.repo.toString(), pg.keyFile.toString(), id, target.toString(), "new")
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        if (child.exitValue() == 137) {
            assertThat(out).as("the child stopped at crash point %d", k).contains("opskit crash point " + k + ":");
            return false;
        }
        assertThat(child.exitValue()).as("child output: %s", out).isZero();
        return true;
    }
}
