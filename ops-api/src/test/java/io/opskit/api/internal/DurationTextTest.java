package io.opskit.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class DurationTextTest {

    @Test
    void parse_shortUnitsAndIso_agree() {
        assertThat(DurationText.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(DurationText.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationText.parse("2w")).isEqualTo(Duration.ofDays(14));
        assertThat(DurationText.parse(" PT5M ")).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void parse_garbage_namesTheText() {
        assertThatThrownBy(() -> DurationText.parse("5 parsecs")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'5 parsecs'");
        assertThatThrownBy(() -> DurationText.parse("m")).hasMessageContaining("'m'");
        assertThatThrownBy(() -> DurationText.parse("PT-5M")).hasMessageContaining("PT-5M");
        assertThatThrownBy(() -> DurationText.parse("99999999999999999w")).hasMessageContaining("out of range");
    }

    @Test
    void format_usesLargestExactUnits() {
        assertThat(DurationText.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(DurationText.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(DurationText.format(Duration.ZERO)).isEqualTo("0s");
    }

    @Property
    void format_parsesBack(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 4) long nanos) {
        Duration d = Duration.ofNanos(nanos);
        assertThat(DurationText.parse(DurationText.format(d))).isEqualTo(d);
    }
}
