package io.opskit.backup.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.backup.KeyFile;
import io.opskit.backup.pitr.internal.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Timelines after a promotion, on real clusters: a restore to a moment promotes into a second
 * server that archives timeline 2 into the same archive, and a later restore from the original
 * timeline-1 base backup follows timeline 2's history to a moment on it.
 */
class TimelineRestoreTest {

    @Test
    void restoreFromTimeline1BaseBackup_toAMomentOnTimeline2_hasTimeline1RowsBeforeT1AndTimeline2RowsBeforeT2()
            throws Exception {
        try (PgFixture pg = PgFixture.start()) {
            pg.execute("create table events(id int primary key, at timestamptz not null default clock_timestamp())");
            pg.switchWal();
            String baseId = pg.baseBackup(2);
            insert(pg, 1, 40);
            Instant t1 = Instant.now();
            insert(pg, 41, 60); // timeline 1 after T1: never on timeline 2
            pg.awaitArchived(pg.switchWal());

            // Restore to T1 and promote: a second server, archiving into the same archive, on timeline 2.
            Path second = pg.newDataDir("second");
            PgFixture.Cli toT1 = pg.restore(baseId, second, "--target-time", t1.toString(), "--prefetch-wal", "2");
            assertThat(toT1.code()).as(toT1.err()).isZero();
            Instant t2;
            try (LocalCluster two = LocalCluster.start(second, pg.newDataDir("second-run"), List.of(), false)) {
                PgFixture.awaitPromoted(two);
                assertThat(query(two, "select substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)")).isEqualTo("00000002");
                assertThat(query(two, "select count(*) || ' ' || max(id) from events")).isEqualTo("40 40");
                insert(two, 1001, 1040);
                query(two, "select pg_switch_wal()"); // timeline 2 gets two segments: its first can go missing below
                t2 = Instant.now();
                insert(two, 1041, 1060); // timeline 2 after T2
                String last = query(two, "select pg_walfile_name(pg_switch_wal())");
                PgFixture.await(Duration.ofSeconds(90), () -> archived(two, last), "timeline 2's " + last + " archived");
            }
            insert(pg, 61, 80); // timeline 1 goes on past T2, so T2 lies on both timelines
            pg.awaitArchived(pg.switchWal());

            WalArchive archive = WalArchive.builder().repository(pg.repo).keyProvider(KeyFile.load(pg.keyFile)).build();
            TimelineHistory history = archive.timelineHistory(2).orElseThrow();
            assertThat(history.parent()).hasValue(1);
            Lsn switchPoint = history.begin().orElseThrow();
            String firstOfTwo = WalFileName.segmentName(2, switchPoint.segmentNumber(1 << 20), 1 << 20);
            assertThat(archive.gaps()).isEmpty();
            assertThat(archive.restorableRanges()).extracting(RestorableRange::timeline).containsExactly(1L, 2L);
            PgFixture.Cli list = PgFixture.cli("list", "--repo", pg.repo.toString(), "--key-file", pg.keyFile.toString());
            assertThat(list.code()).as(list.err()).isZero();
            assertThat(list.out()).containsPattern("timeline 2: restorable .*base backups " + baseId
                    + "; branched from timeline 1 at " + switchPoint + "\\)").doesNotContain("GAP");

            // From the original timeline-1 base backup to T2, on timeline 2.
            Path third = pg.newDataDir("third");
            PgFixture.Cli toT2 = pg.restore(baseId, third, "--target-time", t2.toString());
            assertThat(toT2.code()).as(toT2.err()).isZero();
            assertThat(toT2.out()).contains("reachable on timeline 2");
            assertThat(Files.readString(third.resolve("postgresql.auto.conf"))).contains("recovery_target_timeline = 'latest'");
            try (LocalCluster three = LocalCluster.start(third, pg.newDataDir("third-run"), List.of("archive_mode=off"), false)) {
                PgFixture.awaitPromoted(three);
                assertThat(query(three, "select count(*) filter (where id <= 40) || ' ' || count(*) filter (where id between 41"
                        + " and 1000) || ' ' || count(*) filter (where id between 1001 and 1040) || ' ' || count(*) filter"
                        + " (where id > 1040) from events")).as("timeline 1 before T1, after T1, timeline 2 before T2, after T2")
                        .isEqualTo("40 0 40 0");
                assertThat(query(three, "select substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)")).isEqualTo("00000003");
            }

            // The segment timeline 2 begins with (a copy of timeline 1 up to the switch) goes missing: only
            // following timeline 2 back to the switch shows that the archive lacks it.
            Files.delete(pg.repo.resolve("wal/00000002/" + firstOfTwo));
            assertThat(archive.gaps()).singleElement().satisfies(g -> {
                assertThat(g.firstMissing()).isEqualTo(firstOfTwo);
                assertThat(g.describe()).contains("after the switch from timeline 1 at " + switchPoint);
            });
            assertThat(archive.restorableRanges()).extracting(RestorableRange::timeline).containsExactly(1L);
        }
    }

    private static void insert(PgFixture pg, int from, int to) throws Exception {
        for (int i = from; i <= to; i += 10) {
            pg.execute("insert into events(id) select g from generate_series(" + i + ", " + Math.min(to, i + 9) + ") g");
        }
    }

    private static void insert(LocalCluster c, int from, int to) throws IOException {
        for (int i = from; i <= to; i += 10) {
            query(c, "insert into events(id) select g from generate_series(" + i + ", " + Math.min(to, i + 9) + ") g");
        }
    }

    private static String query(LocalCluster c, String sql) throws IOException {
        return c.query("postgres", "postgres", sql);
    }

    private static boolean archived(LocalCluster c, String segment) {
        try {
            String last = query(c, "select coalesce(last_archived_wal, '') from pg_stat_archiver");
            return last.length() >= 24 && last.substring(0, 24).compareTo(segment) >= 0;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
