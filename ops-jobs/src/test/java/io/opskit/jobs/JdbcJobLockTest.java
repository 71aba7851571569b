package io.opskit.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.jobs.JobLease;
import io.opskit.api.jobs.JobRun;
import io.opskit.api.jobs.LeaseRequest;
import io.opskit.api.jobs.LockAttempt;
import io.opskit.api.jobs.RunOutcome;
import io.opskit.api.task.OpsTask;
import io.opskit.api.task.TaskOutcome;
import io.opskit.testsupport.TestDatabase;
import io.opskit.testsupport.TestDatabase.Kind;
import io.opskit.testsupport.ManualScheduler;
import io.opskit.testsupport.FakeClock;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JdbcJobLockTest {

    private static final Instant DUE = Instant.parse("2026-11-21T02:00:00Z");

    private static LeaseRequest request(Instant due, String replica, String runId, Duration lease) {
        return new LeaseRequest("backup", due, replica, runId, lease);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void tryAcquire_sameDueFromTwoReplicas_oneWinsOtherSeesHolderThenAlreadyRan(Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind)) {
            JdbcJobLock lock = JdbcJobLock.builder(db.concurrentDataSource()).createSchemaOnStart(true).build();

            LockAttempt a = lock.tryAcquire(request(DUE, "replica-a", "run-a", Duration.ofMinutes(1)));
            LockAttempt b = lock.tryAcquire(request(DUE, "replica-b", "run-b", Duration.ofMinutes(1)));
            lock.release(((LockAttempt.Acquired) a).lease());
            LockAttempt bAfter = lock.tryAcquire(request(DUE, "replica-b", "run-b2", Duration.ofMinutes(1)));
            LockAttempt next = lock.tryAcquire(request(DUE.plusSeconds(3600), "replica-b", "run-b3", Duration.ofMinutes(1)));

            assertThat(a).isInstanceOf(LockAttempt.Acquired.class);
            assertThat(b).isEqualTo(new LockAttempt.Held("replica-a", "run-a"));
            assertThat(bAfter).isEqualTo(new LockAttempt.AlreadyRan("replica-a", DUE));
            assertThat(next).isInstanceOf(LockAttempt.Acquired.class);
            assertThat(lock.describe()).contains("tables opskit_job_*");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void renewAndRelease_leaseTakenOverAfterExpiry_oldHolderCannotRenewOrRelease(Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind)) {
            JdbcJobLock lock = JdbcJobLock.builder(db.concurrentDataSource()).createSchemaOnStart(true).build();
            JobLease first = ((LockAttempt.Acquired) lock.tryAcquire(request(DUE, "a", "run-1", Duration.ofSeconds(1))))
                    .lease();
            assertThat(lock.renew(first, Duration.ofSeconds(1))).isTrue();
            // Let the lease end by the database's clock (the lock never reads ours).
            expire(db, "backup");

            LockAttempt second = lock.tryAcquire(request(DUE.plusSeconds(60), "b", "run-2", Duration.ofMinutes(5)));
            assertThat(second).isInstanceOf(LockAttempt.Acquired.class);
            assertThat(lock.renew(first, Duration.ofMinutes(1))).isFalse();
            lock.release(first);

            assertThat(lock.tryAcquire(request(DUE.plusSeconds(120), "c", "run-3", Duration.ofMinutes(1))))
                    .isEqualTo(new LockAttempt.Held("b", "run-2"));
        }
    }

    private static void expire(TestDatabase db, String job) throws Exception {
        try (Connection c = db.concurrentDataSource().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE opskit_job_lease SET lease_until_ms = lease_until_ms - 3600000 WHERE job_name = '"
                    + job + "'");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void history_recordTrimAndAbandon_keepsNewestAndMarksDeadRuns(Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind)) {
            JdbcJobLock lock = JdbcJobLock.builder(db.concurrentDataSource()).createSchemaOnStart(true).historyLimit(3).build();
            for (int i = 0; i < 5; i++) {
                Instant t = DUE.plusSeconds(i * 60L);
                lock.record(new JobRun("backup", "run-" + i, "a", t, t, Optional.of(t.plusSeconds(5)), RunOutcome.SUCCESS,
                        "ok " + i));
            }
            Instant t = DUE.plusSeconds(600);
            lock.record(new JobRun("backup", "dead", "b", t, t, Optional.empty(), RunOutcome.RUNNING, "running"));

            List<JobRun> marked = lock.abandonOthers("backup", "alive", t.plusSeconds(60));
            List<JobRun> recent = lock.recent("backup", 10);

            assertThat(marked).singleElement().satisfies(r -> {
                assertThat(r.runId()).isEqualTo("dead");
                assertThat(r.outcome()).isEqualTo(RunOutcome.ABANDONED);
            });
            assertThat(recent).extracting(JobRun::runId).containsExactly("dead", "run-4", "run-3");
            assertThat(recent.get(0).outcome()).isEqualTo(RunOutcome.ABANDONED);
            assertThat(recent.get(0).endedAt()).contains(t.plusSeconds(60));
            assertThat(recent.get(1).summary()).isEqualTo("ok 4");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void clockSkew_twoSchedulersOneAhead30s_sharedJdbcLockRunsEachDueOnce(Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind)) {
            JdbcJobLock lock = JdbcJobLock.builder(db.concurrentDataSource()).createSchemaOnStart(true).build();
            Instant t0 = Instant.parse("2026-11-21T10:00:00Z");
            FakeClock clock = FakeClock.at(t0);
            ManualScheduler scheduler = new ManualScheduler(clock);
            java.time.Clock ahead = java.time.Clock.offset(clock, Duration.ofSeconds(30));
            List<Instant> dues = Collections.synchronizedList(new ArrayList<>());
            OpsTask task = OpsTask.of("sweep", c -> TaskOutcome.done("ok"));
            Schedule everyMinute = Schedule.every(Duration.ofMinutes(1));
            try (OpsJobs a = OpsJobs.builder().clock(clock).scheduler(scheduler).executor(Runnable::run).replica("a")
                    .lock(lock).job(task, everyMinute).build();
                 OpsJobs b = OpsJobs.builder().clock(ahead).scheduler(scheduler).executor(Runnable::run).replica("b")
                    .lock(lock).job(task, everyMinute).build()) {
                scheduler.advance(Duration.ofMinutes(10));
                for (JobRun r : a.history("sweep", 100)) {
                    dues.add(r.dueAt());
                }
                assertThat(a.localHistory("sweep", 100)).filteredOn(r -> r.outcome() == RunOutcome.SKIPPED)
                        .isNotEmpty().allMatch(r -> r.summary().startsWith("skipped: ran on replica"));
            }
            assertThat(dues).doesNotHaveDuplicates().hasSizeBetween(10, 11);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void record_runningThenEnded_replacesTheRowInPlace(Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind)) {
            JdbcJobLock lock = JdbcJobLock.builder(db.concurrentDataSource()).createSchemaOnStart(true).historyLimit(2).build();
            JobRun running = new JobRun("backup", "run-1", "a", DUE, DUE, Optional.empty(), RunOutcome.RUNNING, "running");
            lock.record(running);
            assertThat(lock.recent("backup", 10)).containsExactly(running);

            JobRun ended = running.ended(DUE.plusSeconds(5), RunOutcome.FAILURE, "disk full");
            lock.record(ended);
            lock.record(ended);

            assertThat(lock.recent("backup", 10)).containsExactly(ended);
        }
    }

    @Test
    void record_onPostgresql_relaxesDurabilityForItsOwnTransactionOnly() throws Exception {
        try (TestDatabase db = TestDatabase.create(Kind.POSTGRESQL);
             Connection shared = java.sql.DriverManager.getConnection(db.url())) {
            // A pool handing out one connection: what the history write leaves on it, the host's
            // next statement inherits.
            javax.sql.DataSource one = TestDatabase.nonClosing(shared);
            JdbcJobLock lock = JdbcJobLock.builder(one).createSchemaOnStart(true).build();
            lock.record(new JobRun("backup", "run-1", "a", DUE, DUE, Optional.of(DUE.plusSeconds(1)), RunOutcome.SUCCESS,
                    "ok"));
            LockAttempt attempt = lock.tryAcquire(request(DUE, "a", "run-2", Duration.ofMinutes(1)));

            assertThat(attempt).isInstanceOf(LockAttempt.Acquired.class);
            assertThat(lock.recent("backup", 10)).extracting(JobRun::runId).containsExactly("run-1");
            try (Statement st = shared.createStatement(); java.sql.ResultSet rs = st.executeQuery("SHOW synchronous_commit")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("on");
            }
            assertThat(shared.getAutoCommit()).isTrue();
        }
    }

    @Test
    void schema_missingAndNotCreated_failsNamingTheScript() throws Exception {
        try (TestDatabase db = TestDatabase.create(Kind.SQLITE)) {
            assertThatThrownBy(() -> JdbcJobLock.builder(db.concurrentDataSource()).build()).isInstanceOf(JobException.class)
                    .hasMessageContaining("found no schema").hasMessageContaining("io/opskit/jobs/schema/sqlite.sql");
        }
    }

    @Test
    void builder_badPrefix_throwsNamingValue() {
        assertThatThrownBy(() -> JdbcJobLock.builder(TestDatabase.dataSource("jdbc:sqlite::memory:")).tablePrefix("9x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tablePrefix must be a lowercase letter then up to 29 lowercase letters, digits or '_': '9x'");
        assertThat(ZoneId.of("UTC")).isNotNull();
    }
}
