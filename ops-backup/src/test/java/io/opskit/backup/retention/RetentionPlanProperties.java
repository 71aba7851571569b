package io.opskit.backup.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Invariants of retention planning over random backup histories, policies, zones and times. */
class RetentionPlanProperties {

    private static final List<ZoneId> ZONES = List.of(ZoneId.of("UTC"), ZoneId.of("Europe/Berlin"),
            ZoneId.of("America/New_York"), ZoneId.of("Australia/Lord_Howe"), ZoneId.of("America/Sao_Paulo"),
            ZoneId.of("Asia/Kolkata"), ZoneId.of("Pacific/Chatham"));

    /** A repository's backups, a policy and the planning time. */
    record Scenario(RetentionPolicy policy, List<BackupRecord> records, Instant now) {
        @Override
        public String toString() {
            return policy + " at " + now + " over " + records.size() + " backups " + records;
        }
    }

    private static final Comparator<BackupRecord> NEWEST_FIRST =
            Comparator.comparing(BackupRecord::createdAt).thenComparing(BackupRecord::id).reversed();

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Combinators.combine(policies(), histories(), Arbitraries.longs().between(0, 90 * 24 * 60))
                .as((policy, history, minutesAfterNewest) -> scenario(policy, history, minutesAfterNewest));
    }

    @Provide
    Arbitrary<Scenario> keepLastScenarios() {
        return Combinators.combine(Arbitraries.integers().between(1, 12), histories(), Arbitraries.longs().between(0, 90 * 24 * 60))
                .as((n, history, after) -> scenario(RetentionPolicy.builder().keepLast(n).maxDeleteFraction(1).build(),
                        history, after));
    }

    @Provide
    Arbitrary<Scenario> dailyScenarios() {
        return Combinators.combine(Arbitraries.integers().between(1, 15), Arbitraries.of(ZONES), histories(),
                        Arbitraries.longs().between(0, 10 * 24 * 60))
                .as((n, zone, history, after) -> scenario(
                        RetentionPolicy.builder().keepDaily(n).zone(zone).maxDeleteFraction(1).build(), history, after));
    }

    private static Scenario scenario(RetentionPolicy policy, List<Entry> history, long minutesAfterNewest) {
        Instant base = Instant.parse("2026-11-21T00:00:00Z");
        List<BackupRecord> records = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            Entry e = history.get(i);
            records.add(new BackupRecord("b" + i, base.minus(Duration.ofMinutes(e.minutesAgo())), e.verified()));
        }
        Instant newest = records.stream().map(BackupRecord::createdAt).max(Comparator.naturalOrder()).orElse(base);
        return new Scenario(policy, List.copyOf(records), newest.plus(Duration.ofMinutes(minutesAfterNewest)));
    }

    record Entry(long minutesAgo, boolean verified) {
    }

    private static Arbitrary<List<Entry>> histories() {
        // Spread over 3 years, clustered within 3 days (ties and same-bucket backups), or on the
        // hour (exact ties between backups).
        Arbitrary<Long> minutesAgo = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 3L * 366 * 24 * 60),
                Arbitraries.longs().between(0, 3L * 24 * 60),
                Arbitraries.longs().between(0, 400).map(h -> h * 60));
        Arbitrary<Boolean> verified = Arbitraries.integers().between(0, 9).map(v -> v < 7);
        return Combinators.combine(minutesAgo, verified).as(Entry::new).list().ofMaxSize(60);
    }

    private static Arbitrary<RetentionPolicy> policies() {
        Arbitrary<int[]> counts = Combinators.combine(
                Arbitraries.integers().between(0, 6), Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, 10), Arbitraries.integers().between(0, 6),
                Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 2))
                .as((last, hourly, daily, weekly, monthly, yearly) -> new int[] {last, hourly, daily, weekly, monthly, yearly});
        return Combinators.combine(counts, Arbitraries.integers().between(0, 60), Arbitraries.of(ZONES),
                        Arbitraries.doubles().between(0.05, 1.0))
                .as((c, withinDays, zone, fraction) -> {
                    RetentionPolicy.Builder b = RetentionPolicy.builder().keepLast(c[0]).keepHourly(c[1]).keepDaily(c[2])
                            .keepWeekly(c[3]).keepMonthly(c[4]).keepYearly(c[5]).zone(zone).maxDeleteFraction(fraction);
                    if (withinDays > 0) {
                        b.keepWithin(Duration.ofDays(withinDays));
                    }
                    if (c[0] + c[1] + c[2] + c[3] + c[4] + c[5] == 0 && withinDays == 0) {
                        b.keepLast(1);
                    }
                    return b.build();
                });
    }

    private static RetentionPlan forced(Scenario s) {
        return RetentionPlan.plan(s.policy(), s.records(), s.now(), true);
    }

    private static List<BackupRecord> verifiedNewestFirst(List<BackupRecord> records) {
        return records.stream().filter(BackupRecord::verified).sorted(NEWEST_FIRST).toList();
    }

    @Property(tries = 400)
    void plan_anyHistory_neverDeletesNewestVerified(@ForAll("scenarios") Scenario s) {
        RetentionPlan plan = forced(s);

        List<BackupRecord> verified = verifiedNewestFirst(s.records());
        if (!verified.isEmpty()) {
            assertThat(plan.toKeep()).contains(verified.get(0));
            assertThat(plan.toDelete()).doesNotContain(verified.get(0));
        }
    }

    @Property(tries = 400)
    void plan_anyHistory_decidesEveryBackupOnceWithReasons(@ForAll("scenarios") Scenario s) {
        RetentionPlan plan = forced(s);

        assertThat(plan.decisions()).extracting(RetentionDecision::record).containsExactlyInAnyOrderElementsOf(s.records());
        assertThat(plan.decisions()).allSatisfy(d -> assertThat(d.reasons()).isNotEmpty().allSatisfy(r -> assertThat(r).isNotBlank()));
        Set<BackupRecord> kept = new HashSet<>(plan.toKeep());
        assertThat(plan.toDelete()).allSatisfy(r -> assertThat(kept).doesNotContain(r));
        assertThat(plan.toKeep().size() + plan.toDelete().size()).isEqualTo(s.records().size());
    }

    @Property(tries = 300)
    void plan_shuffledInput_givesSamePlan(@ForAll("scenarios") Scenario s, @ForAll long seed) {
        List<BackupRecord> shuffled = new ArrayList<>(s.records());
        Collections.shuffle(shuffled, new Random(seed));

        assertThat(RetentionPlan.plan(s.policy(), shuffled, s.now(), true).decisions()).isEqualTo(forced(s).decisions());
        assertThat(forced(s).decisions()).isEqualTo(forced(s).decisions());
    }

    @Property(tries = 400)
    void plan_appliedThenPlannedAgain_deletesNothingMore(@ForAll("scenarios") Scenario s) {
        RetentionPlan first = forced(s);

        RetentionPlan second = RetentionPlan.plan(s.policy(), first.toKeep(), s.now(), false);

        assertThat(second.toDelete()).isEmpty();
        assertThat(second.toKeep()).containsExactlyElementsOf(first.toKeep());
    }

    @Property(tries = 400)
    void plan_keepLastN_keepsExactlyTheNNewestVerified(@ForAll("keepLastScenarios") Scenario s) {
        RetentionPlan plan = forced(s);
        List<BackupRecord> verified = verifiedNewestFirst(s.records());

        List<BackupRecord> keptVerified = plan.toKeep().stream().filter(BackupRecord::verified).toList();
        assertThat(keptVerified).containsExactlyElementsOf(verified.subList(0, Math.min(s.policy().keepLast(), verified.size())));
    }

    @Property(tries = 400)
    void plan_keepDailyN_keepsNewestVerifiedOfTheNNewestLocalDays(@ForAll("dailyScenarios") Scenario s) {
        ZoneId zone = s.policy().zone();
        // Reference: group verified backups by local date, newest day first, newest backup of each.
        Map<LocalDate, BackupRecord> newestPerDay = new LinkedHashMap<>();
        for (BackupRecord r : verifiedNewestFirst(s.records())) {
            newestPerDay.putIfAbsent(r.createdAt().atZone(zone).toLocalDate(), r);
        }
        List<BackupRecord> expected = newestPerDay.values().stream().sorted(NEWEST_FIRST)
                .limit(s.policy().keepDaily()).toList();

        RetentionPlan plan = forced(s);

        assertThat(plan.toKeep().stream().filter(BackupRecord::verified).toList()).containsExactlyElementsOf(expected);
    }

    @Property(tries = 400)
    void plan_unverifiedBackups_keptOnlyAsDocumented(@ForAll("scenarios") Scenario s) {
        RetentionPlan plan = forced(s);
        List<BackupRecord> verified = verifiedNewestFirst(s.records());

        for (RetentionDecision d : plan.decisions()) {
            BackupRecord r = d.record();
            if (r.verified()) {
                continue;
            }
            boolean noVerified = verified.isEmpty();
            boolean newer = !noVerified && NEWEST_FIRST.compare(r, verified.get(0)) < 0;
            boolean inWindow = s.policy().keepWithin().map(w -> !r.createdAt().isBefore(s.now().minus(w))).orElse(false);
            assertThat(d.keep()).as("%s: %s", r, d.reasons()).isEqualTo(noVerified || newer || inWindow);
        }
    }

    @Property(tries = 400)
    void plan_unforced_neverDeletesMoreThanAllowedShare(@ForAll("scenarios") Scenario s) {
        RetentionPlan full = forced(s);
        int allowed = (int) Math.floor(s.policy().maxDeleteFraction() * s.records().size() + 1e-9);

        if (full.toDelete().size() > allowed) {
            assertThat(full.exceedsDeleteLimit()).isTrue();
            assertThatThrownBy(() -> RetentionPlan.plan(s.policy(), s.records(), s.now(), false))
                    .isInstanceOfSatisfying(RetentionLimitExceededException.class,
                            e -> assertThat(e.plan().decisions()).isEqualTo(full.decisions()));
        } else {
            RetentionPlan plan = RetentionPlan.plan(s.policy(), s.records(), s.now(), false);
            assertThat(plan.toDelete()).hasSizeLessThanOrEqualTo(allowed);
            assertThat(plan.exceedsDeleteLimit()).isFalse();
        }
    }

    @Property(tries = 200)
    void plan_keptVerifiedBackups_eachHaveAKeepRuleReason(@ForAll("scenarios") Scenario s) {
        RetentionPlan plan = forced(s);
        Set<String> deletedIds = plan.toDelete().stream().map(BackupRecord::id).collect(Collectors.toSet());

        assertThat(plan.decisions()).filteredOn(d -> d.record().verified() && d.keep())
                .allSatisfy(d -> assertThat(d.reasonText()).doesNotContain("no keep rule"));
        assertThat(plan.decisions()).filteredOn(d -> deletedIds.contains(d.record().id()))
                .allSatisfy(d -> assertThat(d.action()).isEqualTo(RetentionDecision.Action.DELETE));
    }
}
