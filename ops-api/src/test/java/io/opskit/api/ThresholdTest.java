package io.opskit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.Threshold.Level;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

class ThresholdTest {

    @Test
    void evaluate_poolUsageAbove_matchesSeedLevels() {
        Threshold pool = Threshold.above(0.70, 0.85);
        assertThat(pool.evaluate(0.50)).isEqualTo(Level.OK);
        assertThat(pool.evaluate(0.70)).isEqualTo(Level.WARNING);
        assertThat(pool.evaluate(0.85)).isEqualTo(Level.CRITICAL);
        assertThat(pool.evaluate(Double.NaN)).isEqualTo(Level.CRITICAL);
    }

    @Test
    void evaluate_certificateDaysBelow_lowerIsWorse() {
        Threshold days = Threshold.below(30, 7);
        assertThat(days.evaluate(90)).isEqualTo(Level.OK);
        assertThat(days.evaluate(30)).isEqualTo(Level.WARNING);
        assertThat(days.evaluate(3)).isEqualTo(Level.CRITICAL);
    }

    @Test
    void constructor_criticalOnHealthySide_namesFields() {
        assertThatThrownBy(() -> Threshold.above(0.85, 0.70))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("critical must be at or above warning for direction ABOVE: critical=0.7, warning=0.85");
        assertThatThrownBy(() -> Threshold.below(7, 30))
                .hasMessageContaining("critical must be at or below warning");
        assertThatThrownBy(() -> Threshold.above(Double.POSITIVE_INFINITY, 1))
                .hasMessage("warning must be a finite number: Infinity");
    }

    @Property
    void evaluate_isMonotone(@ForAll @DoubleRange(min = -1e6, max = 1e6) double a,
                             @ForAll @DoubleRange(min = -1e6, max = 1e6) double b,
                             @ForAll @DoubleRange(min = -1e3, max = 1e3) double w,
                             @ForAll @DoubleRange(min = 0, max = 1e3) double gap) {
        Threshold above = Threshold.above(w, w + gap);
        double lo = Math.min(a, b);
        double hi = Math.max(a, b);
        // A worse value never yields a better level.
        assertThat(above.evaluate(hi)).isGreaterThanOrEqualTo(above.evaluate(lo));
        Threshold below = Threshold.below(w, w - gap);
        assertThat(below.evaluate(lo)).isGreaterThanOrEqualTo(below.evaluate(hi));
    }
}
