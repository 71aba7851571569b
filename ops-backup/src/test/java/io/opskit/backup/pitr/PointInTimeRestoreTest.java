package io.opskit.backup.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.backup.BackupRepository;
import io.opskit.backup.KeyFile;
import io.opskit.backup.pitr.internal.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A real cluster archiving through the CLI, a base backup in the middle of the writes, restores to
 * a moment and to the end of the archive into new clusters.
 */
class PointInTimeRestoreTest {

    @Test
    void restore_toMomentT_hasEveryRowCommittedBeforeTAndNoneAfter_latestHasAll() throws Exception {
        try (PgFixture pg = PgFixture.start()) {
            pg.execute("create table events(id int primary key, at timestamptz not null default clock_timestamp())");
            insert(pg, 1, 40);
            pg.switchWal();
            String baseId = pg.baseBackup(3); // level 3: a scratch cluster started on it and queried
            insert(pg, 41, 80);
            pg.switchWal();
            insert(pg, 81, 100);
            Instant t = Instant.now();
            insert(pg, 101, 150);
            String last = pg.switchWal();
            pg.awaitArchived(last);

            PgFixture.Cli list = PgFixture.cli("list", "--repo", pg.repo.toString(), "--key-file", pg.keyFile.toString());
            assertThat(list.code()).as(list.err()).isZero();
            assertThat(list.out()).contains("timeline 1: restorable").contains(baseId).doesNotContain("GAP");

            Path toT = pg.newDataDir("restored-t");
            PgFixture.Cli r = restore(pg, baseId, toT, "--target-time", t.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(rows(toT, pg)).isEqualTo(List.of("100", "100"));

            // The same moment with the replay's wal-fetch prefetching in the background: the first
            // miss starts a prefetcher, later segments are renamed out of the spool, and the spool
            // is gone once the server has promoted.
            Path prefetched = pg.newDataDir("restored-t-prefetching");
            KeyFile key = KeyFile.load(pg.keyFile);
            PointInTimeRestore.of(BackupRepository.builder().directory(pg.repo).keyProvider(key).build(),
                    WalArchive.builder().repository(pg.repo).keyProvider(key).build(),
                    PgFixture.cliCommand("wal-fetch --repo " + pg.repo + " --key-file " + pg.keyFile + " --prefetch 2 %f %p"))
                    .prefetchingWhileReplaying().restore(baseId, prefetched, RecoveryTarget.time(t));
            assertThat(Files.readString(prefetched.resolve("postgresql.auto.conf")))
                    .contains("restore_command = 'mv -f opskit_prefetch/%f \"%p\" 2>/dev/null || {");
            assertThat(prefetched.resolve(PointInTimeRestore.PREFETCH_DIRECTORY)).isEmptyDirectory();
            assertThat(rows(prefetched, pg)).isEqualTo(List.of("100", "100"));
            PgFixture.await(java.time.Duration.ofSeconds(30),
                    () -> !Files.exists(prefetched.resolve(PointInTimeRestore.PREFETCH_DIRECTORY)), "the spool removed");

            Path latest = pg.newDataDir("restored-latest");
            PgFixture.Cli l = restore(pg, baseId, latest, "--target", "latest");
            assertThat(l.code()).as(l.err()).isZero();
            assertThat(rows(latest, pg)).isEqualTo(List.of("150", "150"));
        }
    }

    @Test
    void restore_targetOutsideTheArchive_isRefusedNamingBothBounds_recoveryConfNeverWritten() throws Exception {
        try (PgFixture pg = PgFixture.start()) {
            pg.execute("create table events(id int primary key)");
            Instant beforeBase = Instant.now().minusSeconds(3600);
            String baseId = pg.baseBackup(2);
            pg.awaitArchived(pg.writeAndSwitch());

            PgFixture.Cli early = restore(pg, baseId, pg.newDataDir("early"), "--target-time", beforeBase.toString());
            PgFixture.Cli late = restore(pg, baseId, pg.newDataDir("late"), "--target-time",
                    Instant.now().plusSeconds(3600).toString());
            PgFixture.Cli lsn = restore(pg, baseId, pg.newDataDir("lsn"), "--target-lsn", "0/100");

            assertThat(early.code()).isEqualTo(1);
            assertThat(early.err()).contains("is outside what backup " + baseId + " can reach").contains("(the end of the base backup) to")
                    .contains("was archived");
            assertThat(late.code()).isEqualTo(1);
            assertThat(late.err()).contains("is outside what backup").contains("when the last segment");
            assertThat(lsn.code()).isEqualTo(1);
            assertThat(lsn.err()).contains("recovery target LSN 0/100 is outside");
            assertThat(pg.dir.resolve("early")).isEmptyDirectory();

            // PostgreSQL 12 and later refuse recovery.conf: the restore writes recovery.signal and auto.conf settings.
            Path written = pg.newDataDir("written");
            assertThat(restore(pg, baseId, written, "--target-name", "before-upgrade").code()).isZero();
            assertThat(written.resolve("recovery.signal")).exists();
            assertThat(written.resolve("recovery.conf")).doesNotExist();
            assertThat(Files.readString(written.resolve("postgresql.auto.conf"))).contains("restore_command = '")
                    .contains("recovery_target_name = 'before-upgrade'").contains("recovery_target_action = 'promote'");
        }
    }

    private static void insert(PgFixture pg, int from, int to) throws Exception {
        for (int i = from; i <= to; i += 10) {
            pg.execute("insert into events(id) select g from generate_series(" + i + ", " + Math.min(to, i + 9) + ") g");
        }
    }

    private static PgFixture.Cli restore(PgFixture pg, String id, Path to, String... target) throws Exception {
        return pg.restore(id, to, target);
    }

    /** Starts a server on a restored directory, waits for promotion, returns count and max id. */
    private static List<String> rows(Path data, PgFixture pg) throws Exception {
        Path sock = pg.newDataDir(data.getFileName() + "-run");
        try (LocalCluster c = LocalCluster.start(data, sock, List.of("archive_mode=off"), false)) {
            PgFixture.awaitPromoted(c);
            return List.of(c.query("postgres", "postgres", "select count(*) from events"),
                    c.query("postgres", "postgres", "select max(id) from events"));
        }
    }
}
