package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Budget periods follow the configured zone's calendar, with no reset job. */
class BudgetPeriodTest {

    private static final AiRequest CALL = AiRequest.chat("openai", "gpt-4o", 0, 900); // 9,000 micro-USD

    private static AiGuard guard(FakeTime time, ZoneId zone, ModelPolicy policy) {
        return AiGuard.builder().prices(Fixtures.prices()).model(policy).zone(zone)
                .clock(time).ticker(time::nanoTime).sleeper(time.sleeper()).build();
    }

    private static void spend(AiGuard guard) {
        guard.call(CALL, a -> ProviderReply.ok("ok", TokenUsage.of(0, 900)));
    }

    private static ModelPolicy daily() {
        return ModelPolicy.builder("openai", "gpt-4o").dailyBudgetUsd(0.01, 0.01).build();
    }

    @Test
    void dailyBudget_atMidnightInZone_startsFreshPeriod() {
        // 22:59:59 UTC is 23:59:59 in Berlin (CET, UTC+1) on 21 November.
        FakeTime time = new FakeTime(Instant.parse("2026-11-21T22:59:59Z"));
        AiGuard guard = guard(time, ZoneId.of("Europe/Berlin"), daily());
        spend(guard);
        assertThatThrownBy(() -> spend(guard)).isInstanceOfSatisfying(BudgetExceededException.class,
                e -> assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(1)));

        time.advance(Duration.ofSeconds(1));
        spend(guard);

        assertThat(guard.budgets()).singleElement().satisfies(b -> {
            assertThat(b.period()).isEqualTo("2026-11-22");
            assertThat(b.spent().micros()).isEqualTo(9_000);
        });
    }

    @Test
    void dailyBudget_sameInstantInUtc_isStillTheOldDay() {
        FakeTime time = new FakeTime(Instant.parse("2026-11-21T23:00:00Z"));
        AiGuard berlin = guard(time, ZoneId.of("Europe/Berlin"), daily());
        AiGuard utc = guard(time, ZoneId.of("UTC"), daily());
        spend(berlin);
        spend(utc);

        assertThat(berlin.budgets().get(0).period()).isEqualTo("2026-11-22");
        assertThat(utc.budgets().get(0).period()).isEqualTo("2026-11-21");
    }

    @Test
    void dailyBudget_acrossDstEnd_dayLasts25Hours() {
        // 25 October 2026: Berlin falls back from CEST to CET; the local day lasts 25 hours.
        FakeTime time = new FakeTime(Instant.parse("2026-10-24T22:00:00Z")); // 00:00 CEST on the 25th
        AiGuard guard = guard(time, ZoneId.of("Europe/Berlin"), daily());
        spend(guard);

        time.advance(Duration.ofHours(24)); // 23:00 CET, still the 25th
        assertThatThrownBy(() -> spend(guard)).isInstanceOfSatisfying(BudgetExceededException.class,
                e -> assertThat(e.retryAfter()).hasValue(Duration.ofHours(1)));
        assertThat(guard.budgets().get(0).period()).isEqualTo("2026-10-25");

        time.advance(Duration.ofHours(1));
        spend(guard);
        assertThat(guard.budgets().get(0).period()).isEqualTo("2026-10-26");
    }

    @Test
    void dailyBudget_acrossDstStart_dayLasts23Hours() {
        // 29 March 2026: Berlin springs forward; the local day lasts 23 hours.
        FakeTime time = new FakeTime(Instant.parse("2026-03-28T23:00:00Z")); // 00:00 CET on the 29th
        AiGuard guard = guard(time, ZoneId.of("Europe/Berlin"), daily());
        spend(guard);
        assertThatThrownBy(() -> spend(guard)).isInstanceOfSatisfying(BudgetExceededException.class,
                e -> assertThat(e.retryAfter()).hasValue(Duration.ofHours(23)));

        time.advance(Duration.ofHours(23));
        spend(guard);
        assertThat(guard.budgets().get(0).period()).isEqualTo("2026-03-30");
    }

    @Test
    void monthlyBudget_keyedByMonth_andRollsOverAtMonthStartInZone() {
        FakeTime time = new FakeTime(Instant.parse("2026-11-30T22:30:00Z")); // 23:30 on 30 Nov in Berlin
        AiGuard guard = guard(time, ZoneId.of("Europe/Berlin"),
                ModelPolicy.builder("openai", "gpt-4o").monthlyBudgetUsd(0.01, 0.01).build());
        spend(guard);
        assertThat(guard.budgets().get(0).period()).isEqualTo("2026-11");
        assertThatThrownBy(() -> spend(guard)).isInstanceOf(BudgetExceededException.class);

        time.advance(Duration.ofMinutes(30));
        spend(guard);
        assertThat(guard.budgets().get(0).period()).isEqualTo("2026-12");
        assertThat(guard.budgets().get(0).scope()).isEqualTo("openai/gpt-4o/month");
    }

    @Test
    void callStraddlingMidnight_settlesInThePeriodItReservedIn() {
        FakeTime time = new FakeTime(Instant.parse("2026-11-21T23:59:59Z"));
        AiGuard guard = guard(time, ZoneId.of("UTC"),
                ModelPolicy.builder("openai", "gpt-4o").dailyBudgetUsd(1, 1).build());
        AiPermit stamp = guard.acquire(CALL);
        time.advance(Duration.ofSeconds(2));
        complete(stamp, TokenUsage.of(0, 500));

        BudgetStatus today = guard.budgets().get(0);
        assertThat(today.period()).isEqualTo("2026-11-22");
        assertThat(today.spent().micros()).isZero();
        assertThat(today.reserved().micros()).isZero();
    }

    private static long complete(AiPermit permit, TokenUsage usage) {
        return permit.complete(usage).micros();
    }
}
