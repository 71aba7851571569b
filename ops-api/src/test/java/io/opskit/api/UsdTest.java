package io.opskit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class UsdTest {

    @Test
    void parse_decimalDollars_isExact() {
        assertThat(Usd.parse("0.0025").micros()).isEqualTo(2_500);
        assertThat(Usd.parse("$100").micros()).isEqualTo(100_000_000);
        assertThat(Usd.parse("0.1").plus(Usd.parse("0.2"))).isEqualTo(Usd.parse("0.3"));
    }

    @Test
    void parse_finerThanAMicroDollar_isRefusedNamingTheText() {
        assertThatThrownBy(() -> Usd.parse("0.0000004"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'0.0000004'");
        assertThatThrownBy(() -> Usd.parse("1e400")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Usd.parse("ten")).hasMessageContaining("'ten'");
    }

    @Test
    void ofDollars_nan_isRefused() {
        assertThatThrownBy(() -> Usd.ofDollars(Double.NaN)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> Usd.ofDollars(1e300)).hasMessageContaining("out of range");
    }

    @Test
    void toString_showsDollarsWithCents() {
        assertThat(Usd.ofMicros(1_500_000)).hasToString("$1.50");
        assertThat(Usd.ofMicros(1_234_567)).hasToString("$1.234567");
        assertThat(Usd.ofMicros(-5)).hasToString("-$0.000005");
    }

    @Test
    void plus_overflow_throws() {
        assertThatThrownBy(() -> Usd.ofMicros(Long.MAX_VALUE).plus(Usd.ofMicros(1)))
                .isInstanceOf(ArithmeticException.class);
    }

    @Property
    void toString_parsesBack(@ForAll @LongRange(min = -1_000_000_000_000L, max = 1_000_000_000_000L) long micros) {
        Usd usd = Usd.ofMicros(micros);
        assertThat(Usd.parse(usd.toString().replace("-$", "-"))).isEqualTo(usd);
    }
}
