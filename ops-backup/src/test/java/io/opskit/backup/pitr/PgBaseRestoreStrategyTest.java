package io.opskit.backup.pitr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.backup.RestoreOptions;
import io.opskit.api.backup.RestoreTarget;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.KeyFile;
import io.opskit.backup.RestoreRefusedException;
import io.opskit.backup.pitr.internal.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
}
