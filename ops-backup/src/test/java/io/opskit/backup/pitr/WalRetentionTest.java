package io.opskit.backup.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.backup.KeyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention anchored on base backups: WAL a retained base backup needs is never pruned. */
class WalRetentionTest {

    @TempDir
    Path dir;

    @Test
    void prune_deletesOnlyWalBeforeTheOldestRetainedBaseBackup_keepsHistoryFiles() throws Exception {
        WalArchive archive = WalArchive.builder().repository(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("key"))).build();
        Path wal = Files.createDirectories(dir.resolve("pg_wal"));
        for (int seg = 3; seg <= 9; seg++) {
            Path f = wal.resolve(WalFileName.segmentName(1, seg, 1 << 20));
            Files.write(f, new byte[1 << 20]);
            archive.push(f);
        }
        // timeline 2 left timeline 1 within segment 9, the last one archived (1 MiB segments)
        archive.push(Files.writeString(wal.resolve("00000002.history"), "1\t0/900100\tbefore 2026\n"));
        Instant t = Instant.parse("2026-12-01T02:00:00Z");
        BaseBackup old = new BaseBackup("20261124T020000Z-aaaaaa", "pg", 1, Lsn.parse("0/400028"), Lsn.parse("0/400100"), t, t);
        BaseBackup kept = new BaseBackup("20261201T020000Z-bbbbbb", "pg", 1, Lsn.parse("0/600028"), Lsn.parse("0/600100"), t, t);
        archive.recordBaseBackup(old);
        archive.recordBaseBackup(kept);

        int deleted = archive.prune(List.of(kept));

        assertThat(deleted).isEqualTo(4); // segments 3, 4, 5 and the old base's record
        assertThat(archive.baseBackups()).containsExactly(kept);
        assertThat(archive.gaps()).isEmpty();
        assertThat(archive.fetch("000000010000000000000005", dir.resolve("x"))).isFalse();
        assertThat(archive.fetch("000000010000000000000006", dir.resolve("y"))).as("the kept base's start").isTrue();
        assertThat(archive.fetch("00000002.history", dir.resolve("h"))).isTrue();
        assertThat(archive.restorableRange(kept)).get().satisfies(r -> assertThat(r.lastSegment())
                .isEqualTo("000000010000000000000009"));
    }

    @Test
    void prune_withNoRetainedBaseBackup_deletesNothing() throws Exception {
        WalArchive archive = WalArchive.builder().repository(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("key"))).build();
        Path f = Files.createDirectories(dir.resolve("pg_wal")).resolve("000000010000000000000003");
        Files.write(f, new byte[1 << 20]);
        archive.push(f);

        assertThat(archive.prune(List.of())).isZero();
        assertThat(archive.fetch("000000010000000000000003", dir.resolve("x"))).isTrue();
    }
}
