package io.opskit.backup.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.notify.OpsEvent;
import io.opskit.backup.KeyFile;
import io.opskit.backup.LocalDirectoryStore;
import io.opskit.testsupport.PgCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** A real cluster archiving into a store that fails for a while, and an archive that loses a segment. */
class WalArchiveClusterTest {

    @Test
    void failingStore_pgWalGrows_healthDownBeforeCap_thenCatchesUpWithoutGap() throws Exception {
        Path spool = Files.createTempDirectory(Path.of("/tmp"), "opskit-spool-");
        try {
            Path script = WalPusher.writeHandoffScript(spool);
            try (Stream<Path> dirs = Files.walk(spool)) {
                for (Path p : dirs.toList()) {
                    PgCluster.own(p);
                }
            }
            try (PgFixture pg = PgFixture.start("archive_command=" + script + " " + spool + " %p")) {
                FlakyStore store = new FlakyStore(LocalDirectoryStore.open(pg.repo.resolve("wal")));
                WalArchive archive = WalArchive.builder().store(store).keyProvider(KeyFile.load(pg.keyFile)).build();
                List<OpsEvent> events = new CopyOnWriteArrayList<>();
                try (WalPusher pusher = WalPusher.builder().archive(archive).spool(spool).queueCap(8).build()) {
                    pg.awaitArchived(pg.writeAndSwitch());
                    String baseId = pg.baseBackup(2);
                    pg.awaitArchived(pg.writeAndSwitch());
                    PGSimpleDataSource ds = new PGSimpleDataSource();
                    ds.setUrl(pg.jdbcUrl());
                    WalArchiveHealthCheck health = WalArchiveHealthCheck.builder().archive(archive).dataSource(ds)
                            .rpo(Duration.ofHours(1)).backlogCap(8).downAtBacklog(4).notifier(events::add).build();
                    assertThat(health.check().status()).as(health.check().toString()).isEqualTo(HealthStatus.UP);
                    long walFilesBefore = walFiles(pg);

                    store.failing = true;
                    for (int i = 0; i < 5; i++) {
                        pg.writeAndSwitch();
                    }
                    PgFixture.await(Duration.ofSeconds(60), () -> status(health) == HealthStatus.DOWN, "health DOWN");
                    HealthResult down = health.check();

                    assertThat(down.message().orElseThrow()).contains("segments wait in pg_wal").contains("cap 8");
                    assertThat((long) down.details().get("backlog")).isBetween(4L, 7L);
                    assertThat(walFiles(pg)).isGreaterThan(walFilesBefore);
                    assertThat(events).extracting(OpsEvent::type).contains("backup.wal.backlog");

                    store.failing = false;
                    String last = pg.writeAndSwitch();
                    pg.awaitArchived(last);
                    PgFixture.await(Duration.ofSeconds(60), () -> status(health) == HealthStatus.UP, "health UP again");

                    assertThat(archive.gaps()).isEmpty();
                    assertThat(archive.restorableRanges()).singleElement()
                            .satisfies(r -> assertThat(r.baseBackupIds()).contains(baseId))
                            .satisfies(r -> assertThat(r.lastSegment()).isEqualTo(last));
                    assertThat(events).extracting(OpsEvent::type).contains("backup.wal.recovered");
                    assertThat(pusher.queued()).isZero();
                }
            }
        } finally {
            io.opskit.backup.pitr.internal.BaseBackupCheck.deleteTree(spool);
        }
    }

    @Test
    void deletedSegment_isFoundByGapCheckVerificationAndHealth() throws Exception {
        try (PgFixture pg = PgFixture.start()) {
            pg.awaitArchived(pg.writeAndSwitch());
            pg.baseBackup(2);
            String missing = pg.writeAndSwitch();
            pg.writeAndSwitch();
            pg.awaitArchived(pg.writeAndSwitch());
            Files.delete(pg.repo.resolve("wal/00000001/" + missing));

            WalArchive archive = WalArchive.builder().repository(pg.repo).keyProvider(KeyFile.load(pg.keyFile)).build();
            PgFixture.Cli verify = PgFixture.cli("verify", "--all", "--repo", pg.repo.toString(), "--key-file",
                    pg.keyFile.toString());
            HealthResult health = WalArchiveHealthCheck.builder().archive(archive).rpo(Duration.ofHours(1)).build().check();

            assertThat(archive.gaps()).singleElement().satisfies(g -> assertThat(g.firstMissing()).isEqualTo(missing));
            assertThat(verify.code()).isEqualTo(1);
            assertThat(verify.out()).contains("FAILED  WAL archive").contains("missing from " + missing);
            assertThat(health.status()).isEqualTo(HealthStatus.DOWN);
            assertThat(health.message().orElseThrow()).contains("gap").contains(missing);
        }
    }

    private static HealthStatus status(WalArchiveHealthCheck health) {
        try {
            return health.check().status();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long walFiles(PgFixture pg) throws Exception {
        try (Stream<Path> files = Files.list(pg.data.resolve("pg_wal"))) {
            return files.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}")).count();
        }
    }
}
