package io.opskit.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.opskit.api.jobs.JobHistory;
import io.opskit.api.jobs.JobLease;
import io.opskit.api.jobs.JobRun;
import io.opskit.api.jobs.LeaseRequest;
import io.opskit.api.jobs.LockAttempt;
import io.opskit.api.jobs.RunOutcome;
import io.opskit.api.task.OpsTask;
import io.opskit.api.task.TaskOutcome;
import io.opskit.jobs.JdbcJobLock;
import io.opskit.jobs.OpsJobs;
import io.opskit.jobs.Schedule;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbc.JdbcLockProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Lease operations per second on a real PostgreSQL (127.0.0.1:5432, user postgres, database
 * {@code test}; {@code -Djoblock.url=...} for another), Opskit's {@link JdbcJobLock} against
 * ShedLock's plain-JDBC {@link JdbcLockProvider}, in the same run, on one HikariCP pool of 8
 * connections, at 8 threads.
 *
 * <ul>
 *   <li>{@code *AcquireRelease}: one operation is a whole cycle, acquire then release, each thread
 *       on its own lock name (no contention: what every single-replica job and every winning
 *       replica does).</li>
 *   <li>{@code opskitRenew} / {@code shedlockExtend}: each thread holds its own lease and extends it
 *       by 30 s ({@link JdbcJobLock#renew}; ShedLock's {@link SimpleLock#extend}).</li>
 *   <li>{@code *Denied}: every thread asks for one lock that another holder keeps: the path of the
 *       replicas that lose a due run.</li>
 *   <li>{@code pairedCycle}, {@code pairedRenew}: the same two comparisons with both libraries
 *       running at the same moment, 4 threads each, so that the machine's noise hits both alike.</li>
 *   <li>{@code runOverhead} (sample time, three threads at once): {@code ScheduledRun} is
 *       {@link OpsJobs#runNow} of a no-op task through the same JDBC lock with its database history,
 *       from the request to the run's end (lease, history rows, hand-off to the executor, release);
 *       {@code OpskitCycle} and {@code ShedlockCycle} are one bare lock-and-unlock cycle each, the
 *       floor of any run once across replicas.</li>
 *   <li>{@code inProcessRun} (1 thread, sample time): the same run on the in-process lock, Opskit's
 *       own scheduling work without a database.</li>
 * </ul>
 *
 * <p>{@link #main} measures the timer path as a whole process, Opskit and a ShedLock-guarded
 * scheduled task side by side.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JobLockBenchmark {

    static final int POOL_SIZE = 8;
    static final Duration LEASE = Duration.ofSeconds(30);
    static final String SHEDLOCK_TABLE = "bench_shedlock";
    static final String OPSKIT_PREFIX = "bench_";

    static HikariDataSource pool() {
        HikariConfig config = new HikariConfig();
        config.setPoolName("job-lock-bench");
        config.setJdbcUrl(System.getProperty("joblock.url", "jdbc:postgresql://127.0.0.1:5432/test"));
        config.setUsername(System.getProperty("joblock.user", "postgres"));
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(POOL_SIZE);
        return new HikariDataSource(config);
    }

    /** The pool, both locks, and tables emptied of earlier runs' rows. */
    @State(Scope.Benchmark)
    public static class Db {
        HikariDataSource pool;
        JdbcJobLock opskit;
        JdbcLockProvider shedlock;

        @Setup(Level.Trial)
        public void setUp() throws SQLException {
            pool = pool();
            try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
                // ShedLock's documented PostgreSQL table.
                st.execute("CREATE TABLE IF NOT EXISTS " + SHEDLOCK_TABLE + " (name VARCHAR(64) NOT NULL,"
                        + " lock_until TIMESTAMP NOT NULL, locked_at TIMESTAMP NOT NULL,"
                        + " locked_by VARCHAR(255) NOT NULL, PRIMARY KEY (name))");
            }
            opskit = JdbcJobLock.builder(pool).tablePrefix(OPSKIT_PREFIX).createSchemaOnStart(true).build();
            try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM " + SHEDLOCK_TABLE);
                st.execute("DELETE FROM " + OPSKIT_PREFIX + "job_lease");
                st.execute("DELETE FROM " + OPSKIT_PREFIX + "job_run");
            }
            shedlock = new JdbcLockProvider(pool, SHEDLOCK_TABLE);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.close();
        }
    }

    /** One lock name per thread, and a due time that moves on with every cycle. */
    @State(Scope.Thread)
    public static class Worker {
        String opskitName;
        String shedlockName;
        String replica;
        long due;
        long seq;

        @Setup(Level.Trial)
        public void setUp(ThreadParams thread) {
            int i = thread.getThreadIndex();
            opskitName = ("bench-opskit-" + i).intern();
            shedlockName = ("bench-shedlock-" + i).intern();
            replica = "replica-" + i;
            due = System.currentTimeMillis();
        }

        LeaseRequest next() {
            seq++;
            // Every cycle is a new due time of the same job, as successive scheduled runs are.
            return new LeaseRequest(opskitName, Instant.ofEpochMilli(due + seq), replica, replica + "-" + seq, LEASE);
        }
    }

    @Benchmark
    @Threads(8)
    public void opskitAcquireRelease(Db db, Worker w) {
        LockAttempt attempt = db.opskit.tryAcquire(w.next());
        if (!(attempt instanceof LockAttempt.Acquired acquired)) {
            throw new IllegalStateException("uncontended acquire failed: " + attempt);
        }
        db.opskit.release(acquired.lease());
    }

    @Benchmark
    @Threads(8)
    public void shedlockAcquireRelease(Db db, Worker w) {
        Optional<SimpleLock> lock = db.shedlock.lock(new LockConfiguration(ClockProvider.now(), w.shedlockName, LEASE,
                Duration.ZERO));
        if (lock.isEmpty()) {
            throw new IllegalStateException("uncontended lock failed: " + w.shedlockName);
        }
        lock.get().unlock();
    }

    /** A lease each thread holds for the whole trial. */
    @State(Scope.Thread)
    public static class OpskitHeld {
        JobLease lease;

        @Setup(Level.Trial)
        public void setUp(Db db, Worker w) {
            lease = ((LockAttempt.Acquired) db.opskit.tryAcquire(w.next())).lease();
        }
    }

    @Benchmark
    @Threads(8)
    public boolean opskitRenew(Db db, OpskitHeld held) {
        if (!db.opskit.renew(held.lease, LEASE)) {
            throw new IllegalStateException("renew failed");
        }
        return true;
    }

    /** A ShedLock lock each thread holds for the whole trial, replaced by each extension. */
    @State(Scope.Thread)
    public static class ShedlockHeld {
        SimpleLock lock;

        @Setup(Level.Trial)
        public void setUp(Db db, Worker w) {
            lock = db.shedlock.lock(new LockConfiguration(ClockProvider.now(), w.shedlockName, LEASE, Duration.ZERO))
                    .orElseThrow();
        }
    }

    @Benchmark
    @Threads(8)
    public boolean shedlockExtend(ShedlockHeld held) {
        held.lock = held.lock.extend(LEASE, Duration.ZERO).orElseThrow(() -> new IllegalStateException("extend failed"));
        return true;
    }

    /** One lock held by another replica for the whole trial. */
    @State(Scope.Benchmark)
    public static class Contended {
        static final String OPSKIT = "bench-opskit-held";
        static final String SHEDLOCK = "bench-shedlock-held";

        @Setup(Level.Trial)
        public void setUp(Db db) {
            Instant due = Instant.now();
            if (!(db.opskit.tryAcquire(new LeaseRequest(OPSKIT, due, "other", "held", Duration.ofHours(1)))
                    instanceof LockAttempt.Acquired)) {
                throw new IllegalStateException("could not take the contended lease");
            }
            db.shedlock.lock(new LockConfiguration(ClockProvider.now(), SHEDLOCK, Duration.ofHours(1), Duration.ZERO))
                    .orElseThrow();
        }
    }

    @Benchmark
    @Threads(8)
    public LockAttempt opskitDenied(Db db, Contended c, Worker w) {
        w.seq++;
        LockAttempt attempt = db.opskit.tryAcquire(new LeaseRequest(Contended.OPSKIT, Instant.ofEpochMilli(w.due + w.seq),
                w.replica, w.replica + "-" + w.seq, LEASE));
        if (!(attempt instanceof LockAttempt.Held)) {
            throw new IllegalStateException("expected the lease held elsewhere: " + attempt);
        }
        return attempt;
    }

    @Benchmark
    @Threads(8)
    public Optional<SimpleLock> shedlockDenied(Db db, Contended c) {
        Optional<SimpleLock> lock = db.shedlock.lock(new LockConfiguration(ClockProvider.now(), Contended.SHEDLOCK, LEASE,
                Duration.ZERO));
        if (lock.isPresent()) {
            throw new IllegalStateException("expected the lock held elsewhere");
        }
        return lock;
    }

    // Paired: both libraries at the same moment (4 + 4 threads), so the machine's noise hits both.

    @Benchmark
    @Group("pairedCycle")
    @GroupThreads(4)
    public void pairedCycleOpskit(Db db, Worker w) {
        opskitAcquireRelease(db, w);
    }

    @Benchmark
    @Group("pairedCycle")
    @GroupThreads(4)
    public void pairedCycleShedlock(Db db, Worker w) {
        shedlockAcquireRelease(db, w);
    }

    @Benchmark
    @Group("pairedRenew")
    @GroupThreads(4)
    public boolean pairedRenewOpskit(Db db, OpskitHeld held) {
        return opskitRenew(db, held);
    }

    @Benchmark
    @Group("pairedRenew")
    @GroupThreads(4)
    public boolean pairedRenewShedlock(ShedlockHeld held) {
        return shedlockExtend(held);
    }

    /** An {@link OpsJobs} with one no-op job on the JDBC lock and its history. */
    @State(Scope.Benchmark)
    public static class Scheduler {
        OpsJobs jobs;

        @Setup(Level.Trial)
        public void setUp(Db db) {
            jobs = OpsJobs.builder().lock(db.opskit).replica("bench")
                    .job(OpsTask.of("bench-noop", ctx -> TaskOutcome.done("nothing")), Schedule.every(Duration.ofDays(1)))
                    .build();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            jobs.close();
        }
    }

    // One run of a no-op job against one bare lock-and-unlock cycle of each lock, at the same moment
    // (1 + 1 + 1 threads, sample time): the cycle is the floor of any run once across replicas.

    @Benchmark
    @Group("runOverhead")
    @GroupThreads(1)
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public JobRun runOverheadScheduledRun(Scheduler s) throws Exception {
        JobRun run = s.jobs.runNow("bench-noop").get(10, TimeUnit.SECONDS);
        if (run.outcome() != RunOutcome.SUCCESS) {
            throw new IllegalStateException("run did not succeed: " + run);
        }
        return run;
    }

    @Benchmark
    @Group("runOverhead")
    @GroupThreads(1)
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void runOverheadOpskitCycle(Db db, Worker w) {
        opskitAcquireRelease(db, w);
    }

    @Benchmark
    @Group("runOverhead")
    @GroupThreads(1)
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void runOverheadShedlockCycle(Db db, Worker w) {
        shedlockAcquireRelease(db, w);
    }

    /** The same no-op job on the in-process lock: Opskit's own scheduling work, no database. */
    @State(Scope.Benchmark)
    public static class InProcess {
        OpsJobs jobs;

        @Setup(Level.Trial)
        public void setUp() {
            jobs = OpsJobs.builder().replica("bench")
                    .job(OpsTask.of("bench-noop", ctx -> TaskOutcome.done("nothing")), Schedule.every(Duration.ofDays(1)))
                    .build();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            jobs.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public JobRun inProcessRun(InProcess s) throws Exception {
        JobRun run = s.jobs.runNow("bench-noop").get(10, TimeUnit.SECONDS);
        if (run.outcome() != RunOutcome.SUCCESS) {
            throw new IllegalStateException("run did not succeed: " + run);
        }
        return run;
    }

    /**
     * Whole process, the timer path, both libraries in one process at once: an Opskit job due every
     * second (at :00.000) on the JDBC lock with its database history, and the same no-op task on a
     * plain {@link ScheduledExecutorService} behind ShedLock's lock (due at :00.500, so the two never
     * overlap), as a ShedLock-guarded {@code @Scheduled} method runs. For {@code --runs N} (default
     * 20) runs of each: due time to the end of the run (Opskit: its last history row written;
     * ShedLock: unlocked) minus the task's own time, split into timer lateness (due to the attempt's
     * start) and the rest. Prints the medians and maxima. {@code --no-history} keeps the history
     * out of the database (the lease alone), to tell the two costs apart; {@code --warmup N} first
     * makes N runs of another job and N bare ShedLock cycles, so that both measure compiled code
     * (without it, both measure what a job due once a minute meets: code the JIT has not compiled).
     */
    public static void main(String[] args) throws Exception {
        int runs = 20;
        boolean history = true;
        int warmup = 0;
        for (int i = 0; i < args.length; i++) {
            if ("--runs".equals(args[i]) && i + 1 < args.length) {
                runs = Integer.parseInt(args[++i]);
            } else if ("--warmup".equals(args[i]) && i + 1 < args.length) {
                warmup = Integer.parseInt(args[++i]);
            } else if ("--no-history".equals(args[i])) {
                history = false;
            }
        }
        boolean writeHistory = history;
        Map<String, Long> taskNanos = new ConcurrentHashMap<>();
        List<double[]> opskit = Collections.synchronizedList(new ArrayList<>());
        List<double[]> shedlock = Collections.synchronizedList(new ArrayList<>());
        try (HikariDataSource pool = pool()) {
            JdbcJobLock lock = JdbcJobLock.builder(pool).tablePrefix(OPSKIT_PREFIX).createSchemaOnStart(true).build();
            try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS " + SHEDLOCK_TABLE + " (name VARCHAR(64) NOT NULL,"
                        + " lock_until TIMESTAMP NOT NULL, locked_at TIMESTAMP NOT NULL,"
                        + " locked_by VARCHAR(255) NOT NULL, PRIMARY KEY (name))");
                st.execute("DELETE FROM " + SHEDLOCK_TABLE);
                st.execute("DELETE FROM " + OPSKIT_PREFIX + "job_lease");
                st.execute("DELETE FROM " + OPSKIT_PREFIX + "job_run");
            }
            JdbcLockProvider provider = new JdbcLockProvider(pool, SHEDLOCK_TABLE);
            // The lock's own history, timed: a run is complete once its ended row is written.
            JobHistory timed = new JobHistory() {
                @Override
                public void record(JobRun run) {
                    if (writeHistory) {
                        lock.record(run);
                    }
                    if (run.endedAt().isPresent() && run.outcome() == RunOutcome.SUCCESS) {
                        Instant done = Instant.now();
                        long task = taskNanos.getOrDefault(run.runId(), 0L);
                        opskit.add(new double[] {(Duration.between(run.dueAt(), done).toNanos() - task) / 1e6,
                                Duration.between(run.dueAt(), run.startedAt()).toNanos() / 1e6});
                    }
                }

                @Override
                public List<JobRun> recent(String job, int limit) {
                    return lock.recent(job, limit);
                }

                @Override
                public List<JobRun> abandonOthers(String job, String currentRunId, Instant at) {
                    return writeHistory ? lock.abandonOthers(job, currentRunId, at) : List.of();
                }
            };
            OpsTask noop = OpsTask.of("bench-timer", ctx -> {
                long start = System.nanoTime();
                TaskOutcome outcome = TaskOutcome.done("nothing");
                taskNanos.put(ctx.runId(), System.nanoTime() - start);
                return outcome;
            });
            OpsTask warm = OpsTask.of("bench-warm", ctx -> TaskOutcome.done("nothing"));
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
            long firstDue = (System.currentTimeMillis() / 1000 + 1) * 1000 + 500;
            long[] k = {0};
            timer.scheduleAtFixedRate(() -> {
                Instant due = Instant.ofEpochMilli(firstDue + 1000 * k[0]++);
                Instant started = Instant.now();
                Optional<SimpleLock> held = provider.lock(new LockConfiguration(ClockProvider.now(), "bench-timer",
                        LEASE, Duration.ZERO));
                long taskStart = System.nanoTime();
                String outcome = "nothing";
                long task = System.nanoTime() - taskStart;
                held.ifPresent(SimpleLock::unlock);
                Instant done = Instant.now();
                if (held.isPresent() && !outcome.isEmpty()) {
                    shedlock.add(new double[] {(Duration.between(due, done).toNanos() - task) / 1e6,
                            Duration.between(due, started).toNanos() / 1e6});
                }
            }, firstDue - System.currentTimeMillis(), 1000, TimeUnit.MILLISECONDS);
            try (OpsJobs jobs = OpsJobs.builder().lock(lock).history(timed).replica("bench")
                    .job(noop, Schedule.every(Duration.ofSeconds(1))).job(warm, Schedule.every(Duration.ofDays(1)))
                    .build()) {
                for (int i = 0; i < warmup; i++) {
                    // Compiled code for both: the same number of runs and of bare lock cycles first.
                    jobs.runNow("bench-warm").get(10, TimeUnit.SECONDS);
                    provider.lock(new LockConfiguration(ClockProvider.now(), "bench-warm", LEASE, Duration.ZERO))
                            .ifPresent(SimpleLock::unlock);
                }
                opskit.clear();
                shedlock.clear();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(runs + 10L);
                while ((opskit.size() < runs || shedlock.size() < runs) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
            } finally {
                timer.shutdownNow();
            }
        }
        print("opskit (OpsJobs, JdbcJobLock + history)", opskit);
        print("shedlock (ScheduledExecutorService + JdbcLockProvider)", shedlock);
    }

    private static void print(String what, List<double[]> samples) {
        if (samples.isEmpty()) {
            System.out.println(what + ": no run completed");
            return;
        }
        List<Double> total = new ArrayList<>();
        List<Double> late = new ArrayList<>();
        synchronized (samples) {
            for (double[] s : samples) {
                total.add(s[0]);
                late.add(s[1]);
            }
        }
        Collections.sort(total);
        Collections.sort(late);
        System.out.printf(Locale.ROOT, "%s: %d runs; due to end minus task: median %.2f ms, max %.2f ms;"
                        + " of which timer lateness: median %.2f ms, max %.2f ms%n", what, total.size(),
                total.get(total.size() / 2), total.get(total.size() - 1), late.get(late.size() / 2),
                late.get(late.size() - 1));
    }
}
