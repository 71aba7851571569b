package io.opskit.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/** The sliding-window bound of the per-minute limits. */
class RateWindowProperties {

    private static final long MINUTE = 60_000_000_000L;

    record Step(long advanceMillis, long permits) { }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.longs().between(0, 3_000), Arbitraries.longs().between(1, 12))
                .as(Step::new).list().ofMinSize(1).ofMaxSize(300);
    }

    @Property
    void anySixtySecondWindow_admitsAtMostLimitPlusBurst(
            @ForAll @LongRange(min = 12, max = 600) long perMinute, @ForAll("steps") List<Step> steps) {
        long burst = RateWindow.defaultBurst(perMinute);
        long now = 5_000_000_000L;
        RateWindow window = new RateWindow(perMinute, burst, now);
        List<long[]> admitted = new ArrayList<>(); // {time, permits}
        for (Step s : steps) {
            now += s.advanceMillis() * 1_000_000L;
            long permits = Math.min(s.permits(), burst);
            if (window.tryTake(permits, now) == 0) {
                admitted.add(new long[] {now, permits});
            }
        }
        for (int i = 0; i < admitted.size(); i++) {
            long sum = 0;
            for (int j = i; j < admitted.size() && admitted.get(j)[0] - admitted.get(i)[0] < MINUTE; j++) {
                sum += admitted.get(j)[1];
            }
            assertThat(sum).as("admitted in the 60 s window from admission %d", i).isLessThanOrEqualTo(perMinute + burst);
        }
    }

    @Property
    void refusal_saysHowLong_andThatWaitSuffices(
            @ForAll @LongRange(min = 1, max = 1_000) long perMinute, @ForAll("steps") List<Step> steps) {
        long now = 0;
        RateWindow window = new RateWindow(perMinute, RateWindow.defaultBurst(perMinute), now);
        for (Step s : steps) {
            now += s.advanceMillis() * 1_000_000L;
            long wait = window.tryTake(s.permits(), now);
            if (wait == RateWindow.NEVER) {
                assertThat(s.permits()).isGreaterThan(perMinute);
            } else if (wait > 0) {
                assertThat(window.tryTake(s.permits(), now + wait)).isZero();
                now += wait;
            }
            assertThat(window.available(now)).isBetween(0L, window.burst());
        }
    }

    /** Finding 6: RPM 600 admitted 1,199 in a sliding 60 s window (the bucket started full with a minute). */
    @Example
    void finding6_perMinuteLimitsAllowTwoMinutesWorthInAMinute_rpm600AdmitsAtMost660() {
        RateWindow rpm = new RateWindow(600, RateWindow.defaultBurst(600), 0);
        int admitted = 0;
        for (long t = 0; t < MINUTE; t += 10_000_000L) { // a caller every 10 ms for 60 s
            if (rpm.tryTake(1, t) == 0) {
                admitted++;
            }
        }
        assertThat(admitted).isLessThanOrEqualTo(660).isGreaterThanOrEqualTo(600);
    }

    @Example
    void finding6_tpm60000_letsAtMost66000TokensThroughInAMinute() {
        RateWindow tpm = new RateWindow(60_000, RateWindow.defaultBurst(60_000), 0);
        long tokens = 0;
        for (long t = 0; t < MINUTE; t += 10_000_000L) {
            if (tpm.tryTake(1_300, t) == 0) {
                tokens += 1_300;
            }
        }
        assertThat(tokens).isLessThanOrEqualTo(66_000);
    }

    @Example
    void oversizedRequest_admittedOnlyIntoAFullBucket() {
        RateWindow tpm = new RateWindow(60_000, 6_000, 0);
        assertThat(tpm.tryTake(20_000, 0)).isZero();
        assertThat(tpm.tryTake(100, 1_000_000L)).isPositive();
        assertThat(tpm.tryTake(20_000, 21 * 1_000_000_000L)).isZero();
    }
}
