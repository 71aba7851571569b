package io.opskit.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChecksTest {

    @Test
    void requirePositive_zero_namesFieldAndValue() {
        assertThatThrownBy(() -> Checks.requirePositive(Duration.ZERO, "timeout"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive: PT0S");
        assertThatThrownBy(() -> Checks.requirePositive(Duration.ofDays(2), "timeout", Duration.ofDays(1)))
                .hasMessage("timeout must be at most PT24H: PT48H");
        assertThatThrownBy(() -> Checks.requirePositive((Duration) null, "timeout"))
                .isInstanceOf(NullPointerException.class).hasMessage("timeout");
    }

    @Test
    void requireUnset_secondSet_isIllegalState() {
        Checks.requireUnset(null, "clock");
        assertThatThrownBy(() -> Checks.requireUnset(new Object(), "clock"))
                .isInstanceOf(IllegalStateException.class).hasMessage("clock was already set");
        assertThatThrownBy(() -> Checks.requirePresent(null, "dataSource"))
                .isInstanceOf(IllegalStateException.class).hasMessage("dataSource is required");
        assertThat(Checks.requireInRange(0.5, 0, 1, "ratio")).isEqualTo(0.5);
        assertThatThrownBy(() -> Checks.requireInRange(Double.NaN, 0, 1, "ratio")).hasMessageContaining("NaN");
    }
}
