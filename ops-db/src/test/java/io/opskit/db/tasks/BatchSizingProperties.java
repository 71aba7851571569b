package io.opskit.db.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** How a retention run sizes its next batch from the last one's rate. */
class BatchSizingProperties {

    @Property(tries = 1000)
    void nextSize_staysWithinBoundsAndAtMostDoubles(@ForAll @IntRange(min = 1, max = 100_000) int size,
                                                    @ForAll @LongRange(min = 0, max = 100_000) long rows,
                                                    @ForAll @LongRange(min = 0, max = 60_000_000_000L) long nanos,
                                                    @ForAll @LongRange(min = 1, max = 600_000) long targetMillis) {
        int next = RetentionTask.nextSize(size, rows, nanos, Duration.ofMillis(targetMillis));
        if (rows == 0) {
            assertThat(next).isEqualTo(size);
        } else {
            assertThat(next).isBetween(RetentionTask.MIN_SIZED_BATCH, RetentionTask.MAX_BATCH)
                    .isLessThanOrEqualTo(Math.max(RetentionTask.MIN_SIZED_BATCH, 2 * size));
        }
    }

    @Property(tries = 500)
    void nextSize_neverGrowsAfterABatchThatTookLongerThanTheTarget(@ForAll @IntRange(min = 100, max = 100_000) int size,
                                                                  @ForAll @LongRange(min = 101, max = 60_000) long millis) {
        int next = RetentionTask.nextSize(size, size, Duration.ofMillis(millis).toNanos(), Duration.ofMillis(100));
        assertThat(next).isLessThanOrEqualTo(size);
    }

    @Example
    void nextSize_movesTowardsWhatTheTargetTimeHolds() {
        Duration target = Duration.ofMillis(100);
        // 1,000 rows in 10 ms: 10,000 would take 100 ms, but one step at most doubles
        assertThat(RetentionTask.nextSize(1000, 1000, 10_000_000, target)).isEqualTo(2000);
        // 8,000 rows in 80 ms: 10,000 fit
        assertThat(RetentionTask.nextSize(8000, 8000, 80_000_000, target)).isEqualTo(10_000);
        // 1,000 rows in 400 ms: a quarter
        assertThat(RetentionTask.nextSize(1000, 1000, 400_000_000, target)).isEqualTo(250);
        // never below 100 rows, never above 100,000
        assertThat(RetentionTask.nextSize(100, 100, 10_000_000_000L, target)).isEqualTo(100);
        assertThat(RetentionTask.nextSize(100_000, 100_000, 1_000, target)).isEqualTo(100_000);
    }
}
