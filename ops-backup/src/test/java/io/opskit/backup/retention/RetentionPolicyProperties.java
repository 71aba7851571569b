package io.opskit.backup.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The CLI-style parser reads back what {@link RetentionPolicy#toOptions()} writes, and fails only with clear messages. */
class RetentionPolicyProperties {

    @Provide
    Arbitrary<RetentionPolicy> policies() {
        Arbitrary<int[]> counts = Combinators.combine(
                Arbitraries.integers().between(0, 400), Arbitraries.integers().between(0, 48),
                Arbitraries.integers().between(0, 60), Arbitraries.integers().between(0, 52),
                Arbitraries.integers().between(0, 24), Arbitraries.integers().between(0, 10))
                .as((last, hourly, daily, weekly, monthly, yearly) -> new int[] {last, hourly, daily, weekly, monthly, yearly});
        Arbitrary<ZoneId> zones = Arbitraries.of(ZoneId.getAvailableZoneIds()).map(ZoneId::of);
        return Combinators.combine(counts, Arbitraries.longs().between(0, 400L * 86_400), zones,
                        Arbitraries.integers().between(1, 100))
                .as((c, withinSeconds, zone, percent) -> {
                    RetentionPolicy.Builder b = RetentionPolicy.builder().keepLast(c[0]).keepHourly(c[1]).keepDaily(c[2])
                            .keepWeekly(c[3]).keepMonthly(c[4]).keepYearly(c[5]).zone(zone)
                            .maxDeleteFraction(percent / 100.0);
                    if (withinSeconds > 0) {
                        b.keepWithin(Duration.ofSeconds(withinSeconds));
                    }
                    if (c[0] + c[1] + c[2] + c[3] + c[4] + c[5] == 0 && withinSeconds == 0) {
                        b.keepLast(1);
                    }
                    return b.build();
                });
    }

    @Property(tries = 500)
    void parse_toOptionsOfAnyPolicy_givesEqualPolicy(@ForAll("policies") RetentionPolicy policy) {
        assertThat(RetentionPolicy.parse(policy.toOptions())).isEqualTo(policy);
        assertThat(RetentionPolicy.parse(List.of(policy.toOptions().split(" ")))).isEqualTo(policy);
    }

    @Property(tries = 500)
    void parseDuration_formattedDuration_roundTrips(@ForAll("seconds") long seconds, @ForAll("nanos") int nanos) {
        Duration d = Duration.ofSeconds(seconds, nanos);

        assertThat(RetentionPolicy.parseDuration(DurationText.format(d))).isEqualTo(d);
    }

    @Provide
    Arbitrary<Integer> nanos() {
        return Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 999_999_999));
    }

    @Provide
    Arbitrary<Long> seconds() {
        return Arbitraries.oneOf(Arbitraries.longs().between(1, 10L * 366 * 86_400),
                Arbitraries.longs().between(1, 3_000).map(days -> days * 86_400));
    }

    @Property(tries = 1000)
    void parse_arbitraryText_failsOnlyWithIllegalArgument(@ForAll("optionText") String text) {
        try {
            RetentionPolicy policy = RetentionPolicy.parse(text);
            assertThat(RetentionPolicy.parse(policy.toOptions())).isEqualTo(policy);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> optionText() {
        Arbitrary<String> option = Arbitraries.of("--keep-last", "--keep-within", "--keep-hourly", "--keep-daily",
                "--keep-weekly", "--keep-monthly", "--keep-yearly", "--zone", "--max-delete", "--keep", "-x");
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.integers().between(-5, 100).map(String::valueOf),
                Arbitraries.of("30d", "1d12h", "P30D", "PT0S", "0d", "12x", "50%", "0.5", "1.5", "UTC", "Europe/Berlin",
                        "Mars/Olympus", "", "=", "99999999999999999999d"));
        return Combinators.combine(option, value, Arbitraries.of(" ", "="))
                .as((o, v, sep) -> o + sep + v).list().ofMaxSize(6).map(parts -> String.join(" ", parts));
    }

    @Property(tries = 200)
    void builder_negativeCounts_throwNamingFieldAndValue(@ForAll("negatives") int value) {
        assertThatThrownBy(() -> RetentionPolicy.builder().keepDaily(value))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("keepDaily must not be negative: " + value);
    }

    @Provide
    Arbitrary<Integer> negatives() {
        return Arbitraries.integers().between(Integer.MIN_VALUE, -1);
    }
}
