package io.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.health.internal.IsoInstant;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class IsoInstantProperties {

    @Property(tries = 2000)
    void write_anyInstantInYears0To9999_sameTextAsToString(
            @ForAll @LongRange(min = -62_167_219_200L, max = 253_402_300_799L) long epochSecond,
            @ForAll @IntRange(min = 0, max = 999_999_999) int nanos,
            @ForAll @IntRange(min = 0, max = 2) int precision) {
        int rounded = precision == 0 ? nanos / 1_000_000 * 1_000_000 : precision == 1 ? nanos / 1_000 * 1_000 : nanos;
        Instant instant = Instant.ofEpochSecond(epochSecond, rounded);
        char[] out = new char[IsoInstant.MAX_LENGTH];

        int length = IsoInstant.write(instant, out);

        assertThat(new String(out, 0, length)).isEqualTo(instant.toString());
    }

    @Test
    void write_edgeInstants_matchToStringOrFallBack() {
        char[] out = new char[IsoInstant.MAX_LENGTH];
        for (Instant instant : new Instant[] {Instant.EPOCH, Instant.parse("2024-02-29T23:59:59.999999999Z"),
                Instant.parse("2026-01-01T00:00:00.000001Z"), Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59Z")}) {
            assertThat(new String(out, 0, IsoInstant.write(instant, out))).isEqualTo(instant.toString());
        }
        assertThat(IsoInstant.write(Instant.MAX, out)).isEqualTo(-1);
        assertThat(IsoInstant.write(Instant.parse("-0001-12-31T00:00:00Z"), out)).isEqualTo(-1);
    }
}
