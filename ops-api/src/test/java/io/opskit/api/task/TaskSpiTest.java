package io.opskit.api.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TaskSpiTest {

    @Test
    void ofRunnable_runs_andReportsDone() throws Exception {
        int[] runs = {0};
        OpsTask task = OpsTask.of("cleanup", () -> runs[0]++);
        TaskOutcome outcome = task.run(TaskContext.standalone("cleanup", Duration.ofSeconds(5), Clock.systemUTC()));
        assertThat(runs[0]).isEqualTo(1);
        assertThat(outcome).isInstanceOf(TaskOutcome.Done.class);
        assertThat(task.name()).isEqualTo("cleanup");
    }

    @Test
    void standalone_pastDeadline_isCancelled() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        MutableClock clock = new MutableClock(start);
        TaskContext context = TaskContext.standalone("vacuum", Duration.ofSeconds(30), clock);
        assertThat(context.isCancelled()).isFalse();
        assertThat(context.remaining()).isEqualTo(Duration.ofSeconds(30));
        clock.now = start.plusSeconds(30);
        assertThat(context.isCancelled()).isTrue();
        assertThat(context.remaining()).isZero();
        assertThatThrownBy(context::checkCancelled).isInstanceOf(TaskCancelledException.class)
                .hasMessageContaining("vacuum");
    }

    @Test
    void of_blankName_isRefused() {
        assertThatThrownBy(() -> OpsTask.of(" ", () -> { })).hasMessage("name must not be blank: ' '");
        assertThatThrownBy(() -> TaskContext.standalone("x", Duration.ZERO, Clock.systemUTC()))
                .hasMessage("timeout must be positive: PT0S");
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
