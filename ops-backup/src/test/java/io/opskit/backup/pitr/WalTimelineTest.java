package io.opskit.backup.pitr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.backup.BackupRepository;
import io.opskit.backup.KeyFile;
import io.opskit.backup.RestoreRefusedException;
import io.opskit.testsupport.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timelines after a promotion, on an archive written segment by segment (1 MiB segments): ranges,
 * the gap check and the restore's bounds follow a timeline's history from a base backup taken
 * on its parent.
 */
class WalTimelineTest {

    private static final long MIB = 1 << 20;
    private static final Instant T0 = Instant.parse("2026-12-01T02:00:00Z");

    @TempDir
    Path dir;

    private final FakeClock clock = FakeClock.at(T0);
    private WalArchive archive;
    private Path pgWal;

    @BeforeEach
    void setUp() throws Exception {
        archive = WalArchive.builder().repository(dir.resolve("repo")).keyProvider(KeyFile.loadOrCreate(dir.resolve("key")))
                .clock(clock).build();
        pgWal = Files.createDirectories(dir.resolve("pg_wal"));
    }

    /** Archives segments {@code from..to} of {@code timeline}, one minute apart. */
    private void segments(long timeline, long from, long to) throws Exception {
        for (long seg = from; seg <= to; seg++) {
            clock.advance(Duration.ofMinutes(1));
            Path f = pgWal.resolve(WalFileName.segmentName(timeline, seg, MIB));
            Files.write(f, new byte[(int) MIB]);
            archive.push(f);
        }
    }

    private void history(long timeline, String content) throws Exception {
        archive.push(Files.writeString(pgWal.resolve(String.format("%08X.history", timeline)), content));
    }

    private BaseBackup base(String id, long timeline, String start, String stop) {
        BaseBackup b = new BaseBackup(id, "pg", timeline, Lsn.parse(start), Lsn.parse(stop), T0, T0.plusSeconds(30));
        archive.recordBaseBackup(b);
        return b;
    }

    private void delete(String name) throws Exception {
        Files.delete(dir.resolve("repo/wal/" + name.substring(0, 8) + "/" + name));
    }

    private static String seg(long timeline, long number) {
        return WalFileName.segmentName(timeline, number, MIB);
    }

    @Test
    void promotedTimeline_isReachedFromTheParentsBaseBackup_noGapAtTheSwitch() throws Exception {
        BaseBackup b = base("20261201T020000Z-aaaaaa", 1, "0/200028", "0/200100");
        segments(1, 2, 12); // the original server goes on writing timeline 1
        history(2, "1\t0/600A10\tbefore 2026-12-01 02:04:30+00\n");
        segments(2, 6, 9); // the restored server promoted within segment 6

        assertThat(archive.gaps()).isEmpty();
        assertThat(archive.restorableRanges()).extracting(RestorableRange::timeline, RestorableRange::lastSegment,
                RestorableRange::baseBackupIds).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, seg(1, 12), java.util.List.of(b.backupId())),
                        org.assertj.core.groups.Tuple.tuple(2L, seg(2, 9), java.util.List.of(b.backupId())));
        assertThat(archive.restorableRanges(b)).extracting(RestorableRange::timeline).containsExactly(1L, 2L);
        assertThat(archive.restorableRange(b)).get().extracting(RestorableRange::timeline).isEqualTo(1L);
        assertThat(archive.walPath(b, 2).orElseThrow().segmentNames(7, MIB))
                .containsExactly(seg(1, 2), seg(1, 3), seg(1, 4), seg(1, 5), seg(2, 6), seg(2, 7));
        assertThat(archive.timelineHistory(2)).get().satisfies(h -> {
            assertThat(h.parent()).hasValue(1);
            assertThat(h.begin()).contains(Lsn.parse("0/600A10"));
        });
    }

    @Test
    void firstSegmentOfThePromotedTimelineDeleted_isAGapAfterTheSwitch_andTheTimelineIsNoLongerReachable() throws Exception {
        BaseBackup b = base("20261201T020000Z-aaaaaa", 1, "0/200028", "0/200100");
        segments(1, 2, 12);
        history(2, "1\t0/600A10\tbefore 2026-12-01 02:04:30+00\n");
        segments(2, 6, 9);
        delete(seg(2, 6));

        assertThat(archive.gaps()).singleElement().satisfies(g -> {
            assertThat(g.timeline()).isEqualTo(2);
            assertThat(g.firstMissing()).isEqualTo(seg(2, 6));
            assertThat(g.missing()).isEqualTo(1);
            assertThat(g.describe()).contains("after the switch from timeline 1 at 0/600A10");
        });
        assertThat(archive.restorableRanges(b)).extracting(RestorableRange::timeline).containsExactly(1L);
        assertThatThrownBy(() -> archive.verify(false)).isInstanceOf(WalArchiveException.class)
                .hasMessageContaining("missing from " + seg(2, 6));
    }

    @Test
    void parentMissingTheSegmentsBeforeTheSwitch_isAGapOnTheParent() throws Exception {
        BaseBackup b = base("20261201T020000Z-aaaaaa", 1, "0/200028", "0/200100");
        segments(1, 2, 4); // a failover: the old primary never archived segment 5
        history(2, "1\t0/600A10\tno recovery target specified\n");
        segments(2, 6, 8);

        assertThat(archive.gaps()).singleElement().satisfies(g -> {
            assertThat(g.timeline()).isEqualTo(1);
            assertThat(g.firstMissing()).isEqualTo(seg(1, 5));
            assertThat(g.missing()).isEqualTo(1);
            assertThat(g.after()).isEqualTo(seg(1, 4));
        });
        assertThat(archive.restorableRanges(b)).extracting(RestorableRange::timeline).containsExactly(1L);
    }

    @Test
    void threeTimelines_followTheWholeChain_andATailGapOnTheMiddleOneIsFound() throws Exception {
        BaseBackup b = base("20261201T020000Z-aaaaaa", 1, "0/200028", "0/200100");
        segments(1, 2, 6);
        history(2, "1\t0/600A10\tbefore 2026-12-01 02:04:30+00\n");
        segments(2, 6, 8);
        history(3, "1\t0/600A10\tbefore 2026-12-01 02:04:30+00\n2\t0/900100\tno recovery target specified\n");
        segments(3, 9, 11);

        assertThat(archive.gaps()).isEmpty();
        assertThat(archive.restorableRanges(b)).extracting(RestorableRange::timeline, RestorableRange::lastSegment)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, seg(1, 6)),
                        org.assertj.core.groups.Tuple.tuple(2L, seg(2, 8)), org.assertj.core.groups.Tuple.tuple(3L, seg(3, 11)));

        delete(seg(2, 8)); // the last segment timeline 2 wrote before it was left for timeline 3
        assertThat(archive.gaps()).singleElement().satisfies(g -> {
            assertThat(g.timeline()).isEqualTo(2);
            assertThat(g.firstMissing()).isEqualTo(seg(2, 8));
        });
        assertThat(archive.restorableRanges(b)).extracting(RestorableRange::timeline).containsExactly(1L, 2L);
    }

    @Test
    void switchBeforeTheBaseBackupsEnd_isNotFollowed_andTheRestorePinsTheBasesTimeline() throws Exception {
        segments(1, 2, 9);
        history(2, "1\t0/600A10\tbefore 2026-12-01 02:04:30+00\n");
        segments(2, 6, 8);
        BaseBackup late = base("20261201T030000Z-bbbbbb", 1, "0/700028", "0/700100"); // taken on timeline 1 after the fork

        assertThat(archive.restorableRanges(late)).extracting(RestorableRange::timeline).containsExactly(1L);
        assertThat(archive.gaps()).isEmpty();
        PointInTimeRestore restorer = PointInTimeRestore.of(BackupRepository.builder().directory(dir.resolve("repo")).build(),
                archive, "wal-fetch %f %p");
        RestorableRange chosen = restorer.check(late.backupId(), RecoveryTarget.latest());
        assertThat(chosen.timeline()).isEqualTo(1);
        assertThat(archive.newestTimeline(1)).isEqualTo(2);
        assertThat(PointInTimeRestore.settings(late.backupId(), "wal-fetch %f %p", RecoveryTarget.latest(), 1, 2))
                .contains("recovery_target_timeline = '1'").doesNotContain("'latest'");
    }

    @Test
    void check_momentOnlyOnThePromotedTimeline_isAccepted_momentPastEveryTimeline_namesEachTimelinesBounds()
            throws Exception {
        BaseBackup b = base("20261201T020000Z-aaaaaa", 1, "0/200028", "0/200100");
        segments(1, 2, 6); // archived 02:01 .. 02:05
        history(2, "1\t0/600A10\tbefore 2026-12-01 02:04:30+00\n");
        segments(2, 6, 10); // archived 02:06 .. 02:10
        PointInTimeRestore restorer = PointInTimeRestore.of(BackupRepository.builder().directory(dir.resolve("repo")).build(),
                archive, "wal-fetch %f %p");

        RestorableRange onTwo = restorer.check(b.backupId(), RecoveryTarget.time(T0.plus(Duration.ofMinutes(8))));
        RestorableRange both = restorer.check(b.backupId(), RecoveryTarget.time(T0.plus(Duration.ofMinutes(3))));
        RestorableRange lsn = restorer.check(b.backupId(), RecoveryTarget.lsn(Lsn.parse("0/900000")));

        assertThat(onTwo.timeline()).isEqualTo(2);
        assertThat(both.timeline()).as("on both: the newest, as recovery_target_timeline = 'latest'").isEqualTo(2);
        assertThat(lsn.timeline()).isEqualTo(2);
        assertThatThrownBy(() -> restorer.check(b.backupId(), RecoveryTarget.time(T0.plus(Duration.ofMinutes(30)))))
                .isInstanceOf(RestoreRefusedException.class)
                .hasMessageContaining("on timeline 1: from " + T0.plusSeconds(30))
                .hasMessageContaining("to " + T0.plus(Duration.ofMinutes(5)) + " (when the last segment " + seg(1, 6))
                .hasMessageContaining("; on timeline 2: from " + T0.plusSeconds(30))
                .hasMessageContaining("to " + T0.plus(Duration.ofMinutes(10)) + " (when the last segment " + seg(2, 10));
        assertThat(PointInTimeRestore.settings(b.backupId(), "wal-fetch %f %p", RecoveryTarget.time(T0), 2,
                archive.newestTimeline(1))).contains("recovery_target_timeline = 'latest'");
    }

    @Test
    void damagedHistoryFile_failsTheGapCheckNamingTheFileAndLine() throws Exception {
        base("20261201T020000Z-aaaaaa", 1, "0/200028", "0/200100");
        segments(1, 2, 6);
        history(2, "1\t0/600A10\tbefore 2026\nzwei\t0/700000\tgarbage\n");

        assertThatThrownBy(() -> archive.gaps()).isInstanceOf(WalArchiveException.class)
                .satisfies(e -> assertThat(((WalArchiveException) e).reason()).isEqualTo(WalArchiveException.Reason.CORRUPT))
                .hasMessageContaining("00000002/00000002.history")
                .hasMessageContaining("00000002.history line 2: expected a timeline id");
    }

    @Test
    void withoutAKey_eachTimelineIsTakenOnItsOwn() throws Exception {
        base("20261201T020000Z-aaaaaa", 1, "0/200028", "0/200100");
        segments(1, 2, 12);
        history(2, "1\t0/600A10\tbefore 2026-12-01 02:04:30+00\n");
        segments(2, 6, 9);
        WalArchive noKey = WalArchive.builder().repository(dir.resolve("repo")).build();

        assertThat(noKey.gaps()).isEmpty();
        assertThat(noKey.restorableRanges()).extracting(RestorableRange::timeline).containsExactly(1L);
        assertThat(noKey.timelineHistory(2)).isEmpty();
    }
}
