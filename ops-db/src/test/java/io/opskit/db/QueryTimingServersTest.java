package io.opskit.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** Slow statements on the real PostgreSQL and MariaDB servers. */
class QueryTimingServersTest {

    private static double bucket(Timer timer, Duration le) {
        for (CountAtBucket b : timer.takeSnapshot().histogramCounts()) {
            if (b.bucket(TimeUnit.NANOSECONDS) == le.toNanos()) {
                return b.count();
            }
        }
        throw new AssertionError("no bucket " + le);
    }

    private void assertSlowSleep(TestDatabase db, String sleepSql, String fingerprint, String system) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TimedDataSource timed = OpsDb.timed(db.dataSource()).meterRegistry(registry).build();
        try (LogCapture logs = new LogCapture("io.opskit.db.slow"); Connection c = timed.getConnection()) {
            MDC.put("request_id", "req-" + system);
            MDC.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
            try (PreparedStatement ps = c.prepareStatement(sleepSql)) {
                ps.setDouble(1, 0.15);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                }
            } finally {
                MDC.clear();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT 1"); ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
            assertThat(logs.messages()).singleElement().asString()
                    .contains("fingerprint \"" + fingerprint + "\"")
                    .contains("request_id req-" + system)
                    .contains("trace_id 4bf92f3577b34da6a3ce929d0e0e4736")
                    .contains("db " + system);
        }
        Timer timer = registry.get(TimedDataSource.DURATION).tag(TimedDataSource.TAG_FINGERPRINT, fingerprint).timer();
        assertThat(timer.getId().getTag(TimedDataSource.TAG_SYSTEM)).isEqualTo(system);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(150);
        assertThat(bucket(timer, Duration.ofMillis(100))).isZero();
        assertThat(bucket(timer, Duration.ofSeconds(10))).isEqualTo(1);
    }

    @Test
    void pgSleep150ms_logsOneSlowLineAndLandsAbove100ms() throws Exception {
        try (TestDatabase db = TestDatabase.postgres()) {
            assertSlowSleep(db, "SELECT pg_sleep(?)", "select pg_sleep(?)", "postgresql");
        }
    }

    @Test
    void mariadbSleep150ms_logsOneSlowLineAndLandsAbove100ms() throws Exception {
        try (TestDatabase db = TestDatabase.mariadb()) {
            assertSlowSleep(db, "SELECT SLEEP(?)", "select sleep(?)", "mariadb");
        }
    }
}
