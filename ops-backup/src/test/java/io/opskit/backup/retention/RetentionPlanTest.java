package io.opskit.backup.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetentionPlanTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static BackupRecord verified(String id, String instant) {
        return new BackupRecord(id, Instant.parse(instant), true);
    }

    private static BackupRecord unverified(String id, String instant) {
        return new BackupRecord(id, Instant.parse(instant), false);
    }

    /** Daily backups at 02:00 Berlin time, newest first, ids d0 (newest), d1, ... */
    private static List<BackupRecord> dailyAtTwo(LocalDate newest, int days) {
        List<BackupRecord> records = new ArrayList<>();
        for (int i = 0; i < days; i++) {
            Instant at = newest.minusDays(i).atTime(LocalTime.of(2, 0)).atZone(BERLIN).toInstant();
            records.add(new BackupRecord("d" + i, at, true));
        }
        return records;
    }

    private static List<String> ids(List<BackupRecord> records) {
        return records.stream().map(BackupRecord::id).toList();
    }

    private static RetentionDecision decision(RetentionPlan plan, String id) {
        return plan.decisions().stream().filter(d -> d.record().id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void plan_seedsThirtyDays_deletesBackupsOlderThanThirtyDays() {
        List<BackupRecord> records = dailyAtTwo(LocalDate.of(2026, 11, 20), 40);
        Instant now = Instant.parse("2026-11-20T05:00:00Z");
        RetentionPolicy policy = RetentionPolicy.builder().keepWithin(Duration.ofDays(30)).build();

        RetentionPlan plan = RetentionPlan.plan(policy, records, now, false);

        // d29 was taken on 2026-10-22 at 02:00 CEST (00:00Z), 29 days 5 hours ago; d30 30 days 5 hours ago.
        assertThat(ids(plan.toKeep())).hasSize(30).startsWith("d0").endsWith("d29");
        assertThat(ids(plan.toDelete())).hasSize(10).startsWith("d30").endsWith("d39");
        assertThat(decision(plan, "d0").reasons()).containsExactly("newest verified backup", "within 30d");
        assertThat(decision(plan, "d5").reasons()).containsExactly("within 30d");
        assertThat(decision(plan, "d30").reasons()).containsExactly("verified, but no keep rule applies");
    }

    @Test
    void plan_keepWithinBoundary_isInclusive() {
        Instant now = Instant.parse("2026-11-20T00:00:00Z");
        List<BackupRecord> records = List.of(verified("new", "2026-11-19T00:00:00Z"),
                verified("edge", "2026-10-21T00:00:00Z"), verified("out", "2026-10-20T23:59:59Z"));
        RetentionPolicy policy = RetentionPolicy.builder().keepWithin(Duration.ofDays(30)).build();

        RetentionPlan plan = RetentionPlan.plan(policy, records, now, false);

        assertThat(ids(plan.toKeep())).containsExactly("new", "edge");
        assertThat(ids(plan.toDelete())).containsExactly("out");
    }

    @Test
    void plan_allBackupsOutsideWindow_keepsNewestVerifiedAndOlderUnverifiedGoes() {
        Instant now = Instant.parse("2026-11-20T00:00:00Z");
        List<BackupRecord> records = List.of(unverified("u-new", "2026-11-19T23:00:00Z"),
                verified("v1", "2026-08-01T02:00:00Z"), unverified("u-old", "2026-07-31T02:00:00Z"),
                verified("v2", "2026-07-30T02:00:00Z"));
        RetentionPolicy policy = RetentionPolicy.builder().keepWithin(Duration.ofDays(30)).build();

        RetentionPlan plan = RetentionPlan.plan(policy, records, now, false);

        assertThat(ids(plan.toKeep())).containsExactly("u-new", "v1");
        assertThat(decision(plan, "v1").reasons()).containsExactly("newest verified backup");
        assertThat(decision(plan, "u-new").reasonText()).startsWith("unverified, newer than the newest verified backup");
        assertThat(decision(plan, "u-old").reasonText())
                .isEqualTo("unverified, older than the newest verified backup and not within 30d");
    }

    @Test
    void plan_unverifiedInsideWindow_isKeptButFillsNoSlot() {
        Instant now = Instant.parse("2026-11-20T12:00:00Z");
        List<BackupRecord> records = List.of(verified("v0", "2026-11-20T02:00:00Z"),
                unverified("u1", "2026-11-19T02:00:00Z"), verified("v2", "2026-11-18T02:00:00Z"),
                verified("v3", "2026-11-17T02:00:00Z"));
        RetentionPolicy policy = RetentionPolicy.builder().keepLast(2).keepWithin(Duration.ofDays(2)).build();

        RetentionPlan plan = RetentionPlan.plan(policy, records, now, false);

        // keep-last 2 counts v0 and v2: u1 does not take a slot.
        assertThat(decision(plan, "v2").reasons()).containsExactly("last 2 verified (#2)");
        assertThat(decision(plan, "u1").reasons()).containsExactly("unverified, within 2d (may still be verified)");
        assertThat(ids(plan.toDelete())).containsExactly("v3");
    }

    @Test
    void plan_noVerifiedBackup_keepsEverything() {
        List<BackupRecord> records = List.of(unverified("a", "2025-01-01T00:00:00Z"), unverified("b", "2024-01-01T00:00:00Z"));
        RetentionPolicy policy = RetentionPolicy.builder().keepLast(1).build();

        RetentionPlan plan = RetentionPlan.plan(policy, records, Instant.parse("2026-11-20T00:00:00Z"), false);

        assertThat(plan.toDelete()).isEmpty();
        assertThat(plan.decisions()).allSatisfy(d -> assertThat(d.reasonText()).contains("no backup is verified yet"));
    }

    @Test
    void plan_overDeleteLimit_refusesWithPlanUnlessForced() {
        List<BackupRecord> records = dailyAtTwo(LocalDate.of(2026, 11, 20), 10);
        RetentionPolicy policy = RetentionPolicy.builder().keepLast(2).maxDeleteFraction(0.5).build();
        Instant now = Instant.parse("2026-11-20T05:00:00Z");

        assertThatThrownBy(() -> RetentionPlan.plan(policy, records, now, false))
                .isInstanceOfSatisfying(RetentionLimitExceededException.class, e -> {
                    assertThat(e.plan().toDelete()).hasSize(8);
                    assertThat(e.plan().exceedsDeleteLimit()).isTrue();
                })
                .hasMessageStartingWith("retention refused: the plan would delete 8 of 10 backups (80%), more than"
                        + " maxDeleteFraction 0.5 allows (at most 5)");

        RetentionPlan forced = RetentionPlan.plan(policy, records, now, true);
        assertThat(ids(forced.toKeep())).containsExactly("d0", "d1");
        assertThat(forced.exceedsDeleteLimit()).isTrue();
    }

    @Test
    void plan_duplicateIds_throwsNamingId() {
        List<BackupRecord> records = List.of(verified("x", "2026-11-20T00:00:00Z"), verified("x", "2026-11-19T00:00:00Z"));

        assertThatThrownBy(() -> RetentionPlan.plan(RetentionPolicy.builder().keepLast(1).build(), records, Instant.EPOCH, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("records must have unique ids: 'x' appears twice");
    }

    @Test
    void plan_inputOrder_doesNotMatter() {
        List<BackupRecord> records = new ArrayList<>(dailyAtTwo(LocalDate.of(2026, 11, 20), 50));
        RetentionPolicy policy = RetentionPolicy.builder().keepDaily(7).keepWeekly(4).zone(BERLIN).maxDeleteFraction(1).build();
        Instant now = Instant.parse("2026-11-20T05:00:00Z");
        RetentionPlan sorted = RetentionPlan.plan(policy, records, now, false);

        Collections.shuffle(records, new Random(42));
        RetentionPlan shuffled = RetentionPlan.plan(policy, records, now, false);

        assertThat(shuffled.decisions()).isEqualTo(sorted.decisions());
    }

    @Test
    void plan_berlinDaily_bucketsByLocalDateNotUtc() {
        // 23:30 CEST on Oct 24 and 00:30 CEST on Oct 25 are both Oct 24 in UTC.
        List<BackupRecord> records = List.of(verified("oct25-0030", "2026-10-24T22:30:00Z"),
                verified("oct24-2330", "2026-10-24T21:30:00Z"), verified("oct24-0200", "2026-10-24T00:00:00Z"));
        RetentionPolicy berlin = RetentionPolicy.builder().keepDaily(2).zone(BERLIN).maxDeleteFraction(1).build();
        RetentionPolicy utc = RetentionPolicy.builder().keepDaily(2).zone(ZoneId.of("UTC")).maxDeleteFraction(1).build();
        Instant now = Instant.parse("2026-10-25T12:00:00Z");

        RetentionPlan inBerlin = RetentionPlan.plan(berlin, records, now, false);
        RetentionPlan inUtc = RetentionPlan.plan(utc, records, now, false);

        assertThat(ids(inBerlin.toKeep())).containsExactly("oct25-0030", "oct24-2330");
        assertThat(decision(inBerlin, "oct24-2330").reasons()).containsExactly("daily 2026-10-24");
        assertThat(decision(inBerlin, "oct25-0030").reasons()).containsExactly("newest verified backup", "daily 2026-10-25");
        assertThat(ids(inUtc.toKeep())).containsExactly("oct25-0030");
    }

    @Test
    void plan_berlinFallBackDay_twentyFiveHourDayIsOneBucket() {
        // 2026-10-25 has 25 hours in Berlin: 00:30 CEST (22:30Z the day before) to 23:30 CET (22:30Z).
        List<BackupRecord> records = List.of(verified("late", "2026-10-25T22:30:00Z"),
                verified("early", "2026-10-24T22:30:00Z"), verified("prev", "2026-10-24T12:00:00Z"));
        RetentionPolicy policy = RetentionPolicy.builder().keepDaily(2).zone(BERLIN).maxDeleteFraction(1).build();

        RetentionPlan plan = RetentionPlan.plan(policy, records, Instant.parse("2026-10-26T00:00:00Z"), false);

        assertThat(ids(plan.toKeep())).containsExactly("late", "prev");
        assertThat(decision(plan, "late").reasons()).contains("daily 2026-10-25");
        assertThat(decision(plan, "prev").reasons()).containsExactly("daily 2026-10-24");
    }

    @Test
    void plan_berlinSpringForwardDay_twentyThreeHourDayIsOneBucket() {
        // 2026-03-29 has 23 hours in Berlin: 00:00 CET is 23:00Z on Mar 28, 23:59 CEST is 21:59Z on Mar 29.
        List<BackupRecord> records = List.of(verified("mar30", "2026-03-29T22:00:00Z"),
                verified("mar29-late", "2026-03-29T21:59:00Z"), verified("mar29-early", "2026-03-28T23:00:00Z"),
                verified("mar28", "2026-03-28T22:59:00Z"));
        RetentionPolicy policy = RetentionPolicy.builder().keepDaily(3).zone(BERLIN).maxDeleteFraction(1).build();

        RetentionPlan plan = RetentionPlan.plan(policy, records, Instant.parse("2026-03-30T06:00:00Z"), false);

        assertThat(ids(plan.toKeep())).containsExactly("mar30", "mar29-late", "mar28");
        assertThat(decision(plan, "mar29-late").reasons()).containsExactly("daily 2026-03-29");
        assertThat(decision(plan, "mar28").reasons()).containsExactly("daily 2026-03-28");
    }

    @Test
    void plan_newYorkWeekly_weekStartsMondayLocalAcrossSpringForward() {
        // DST starts Sunday 2026-03-08 in New York. 23:30 EDT Sunday is Monday 03:30Z; 00:30 EDT
        // Monday is 04:30Z: the same UTC day, but different ISO weeks in New York.
        List<BackupRecord> records = List.of(verified("mon", "2026-03-09T04:30:00Z"),
                verified("sun", "2026-03-09T03:30:00Z"), verified("sat", "2026-03-07T12:00:00Z"));
        RetentionPolicy policy = RetentionPolicy.builder().keepWeekly(2).zone(NEW_YORK).maxDeleteFraction(1).build();

        RetentionPlan plan = RetentionPlan.plan(policy, records, Instant.parse("2026-03-10T00:00:00Z"), false);

        assertThat(ids(plan.toKeep())).containsExactly("mon", "sun");
        assertThat(decision(plan, "mon").reasons()).contains("weekly 2026-W11");
        assertThat(decision(plan, "sun").reasons()).containsExactly("weekly 2026-W10");
        assertThat(decision(plan, "sat").reasons()).containsExactly("verified, but no keep rule applies");
    }

    @Test
    void plan_newYorkDailyAcrossFallBack_keepsOnePerLocalDay() {
        // 2026-11-01: clocks go from 02:00 EDT back to 01:00 EST.
        List<BackupRecord> records = List.of(verified("nov1-0130-est", "2026-11-01T06:30:00Z"),
                verified("nov1-0130-edt", "2026-11-01T05:30:00Z"), verified("oct31-2330", "2026-11-01T03:30:00Z"));
        RetentionPolicy daily = RetentionPolicy.builder().keepDaily(5).zone(NEW_YORK).maxDeleteFraction(1).build();
        RetentionPolicy hourly = RetentionPolicy.builder().keepHourly(5).zone(NEW_YORK).maxDeleteFraction(1).build();
        Instant now = Instant.parse("2026-11-01T12:00:00Z");

        RetentionPlan byDay = RetentionPlan.plan(daily, records, now, false);
        RetentionPlan byHour = RetentionPlan.plan(hourly, records, now, false);

        assertThat(ids(byDay.toKeep())).containsExactly("nov1-0130-est", "oct31-2330");
        // The repeated 01:00 hour is two hourly buckets, told apart by their offsets.
        assertThat(ids(byHour.toKeep())).containsExactly("nov1-0130-est", "nov1-0130-edt", "oct31-2330");
        assertThat(decision(byHour, "nov1-0130-edt").reasons()).containsExactly("hourly 2026-11-01T01:00-04:00");
        assertThat(decision(byHour, "nov1-0130-est").reasons()).contains("hourly 2026-11-01T01:00-05:00");
    }

    @Test
    void plan_monthlyAndYearly_keepNewestOfEachBucket() {
        List<BackupRecord> records = dailyAtTwo(LocalDate.of(2026, 2, 3), 70);
        RetentionPolicy policy = RetentionPolicy.builder().keepMonthly(3).keepYearly(2).zone(BERLIN).maxDeleteFraction(1).build();

        RetentionPlan plan = RetentionPlan.plan(policy, records, Instant.parse("2026-02-03T12:00:00Z"), false);

        // Feb 3 (newest of Feb), Jan 31, Dec 31; yearly: 2026 is Feb 3, 2025 is Dec 31.
        assertThat(plan.toKeep()).extracting(r -> r.createdAt().atZone(BERLIN).toLocalDate().toString())
                .containsExactly("2026-02-03", "2026-01-31", "2025-12-31");
        assertThat(decision(plan, "d0").reasons()).containsExactly("newest verified backup", "monthly 2026-02", "yearly 2026");
        assertThat(plan.toKeep().get(2)).satisfies(r ->
                assertThat(decision(plan, r.id()).reasons()).containsExactly("monthly 2025-12", "yearly 2025"));
    }

    @Test
    void describe_listsEveryDecisionWithReasons() {
        List<BackupRecord> records = dailyAtTwo(LocalDate.of(2026, 11, 20), 3);
        RetentionPolicy policy = RetentionPolicy.builder().keepLast(2).zone(BERLIN).build();

        String text = RetentionPlan.plan(policy, records, Instant.parse("2026-11-20T05:00:00Z"), false).describe();

        assertThat(text.lines()).hasSize(4);
        assertThat(text.lines().findFirst().orElseThrow()).contains("keep 2, delete 1 of 3 backups");
        assertThat(text).contains("KEEP   2026-11-20T02:00+01:00  d0  newest verified backup, last 2 verified (#1)")
                .contains("DELETE 2026-11-18T02:00+01:00  d2  verified, but no keep rule applies");
    }
}
