package io.opskit.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import io.opskit.api.budget.BudgetKey;
import io.opskit.api.budget.BudgetStore;
import io.opskit.api.budget.BudgetUsage;
import io.opskit.ratelimit.budget.JdbcBudgetStore;
import io.opskit.ratelimit.budget.SlicedBudgetStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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

/**
 * Shared-budget admissions against the machine's PostgreSQL, 8 threads, throughput.
 *
 * <ul>
 *   <li>{@code opskitJdbc}: one admission on {@link JdbcBudgetStore}: reserve the worst case,
 *       decided and committed before it returns. Concurrent admissions share transactions
 *       (group commit).</li>
 *   <li>{@code opskitJdbcCycle}: a whole AI-call budget cycle on {@link JdbcBudgetStore}: the
 *       admission, then the reconcile of the real cost, each committed before it returns.</li>
 *   <li>{@code opskitJdbcSlices}: the whole cycle on a {@link SlicedBudgetStore} over that store:
 *       slices of the budget are leased as admitted reservations and spent in memory.</li>
 *   <li>{@code bucket4jPostgres}: Bucket4j 8.18 {@code tryConsume(1)} on its PostgreSQL proxy
 *       manager ({@code Bucket4jPostgreSQL.selectForUpdateBasedBuilder}): one admission per call,
 *       a transaction with {@code SELECT ... FOR UPDATE} and an update of the bucket's state.</li>
 * </ul>
 * All three share one budget (one bucket) across all threads, the contended case a shared budget
 * is for. Tables are created with unique names in the database given by the system property
 * {@code opskit.bench.postgres} (default {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres})
 * and dropped afterwards. Tear-down checks that no budget was overspent and that the recorded spend
 * equals what the callers reconciled; a violation fails the run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(8)
public class BudgetStoreBenchmark {

    static final String URL = System.getProperty("opskit.bench.postgres",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    static final long LIMIT = Long.MAX_VALUE / 4;
    static final long ESTIMATE = 2_000;
    static final long ACTUAL = 1_500;

    static HikariDataSource pool(String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(URL);
        config.setMaximumPoolSize(8);
        config.setPoolName(name);
        return new HikariDataSource(config);
    }

    static void execute(HikariDataSource pool, String sql) {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** A budget store on its own tables; subclasses pick plain or sliced. */
    public abstract static class OpskitState {
        final BudgetKey key = new BudgetKey("bench/gpt-4o/day", "2026-11-21");
        final AtomicLong ids = new AtomicLong();
        final LongAdder reconciled = new LongAdder();
        final LongAdder held = new LongAdder();
        String prefix;
        HikariDataSource pool;
        JdbcBudgetStore jdbc;
        BudgetStore store;

        @Setup(Level.Trial)
        public void setUp() {
            prefix = "bench" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";
            pool = pool("opskit");
            jdbc = JdbcBudgetStore.builder(pool).tablePrefix(prefix).createSchemaOnStart(true).build();
            store = wrap(jdbc);
        }

        abstract BudgetStore wrap(JdbcBudgetStore jdbc);

        String admit(Instant now) {
            String id = "r" + ids.incrementAndGet();
            if (!store.reserve(key, id, ESTIMATE, LIMIT, now, now.plusSeconds(600)).admitted()) {
                throw new IllegalStateException("refused under a limit that cannot be reached");
            }
            return id;
        }

        void admitOnly() {
            admit(Instant.now());
            held.add(ESTIMATE);
        }

        void cycle() {
            Instant now = Instant.now();
            String id = admit(now);
            store.reconcile(key, id, ACTUAL, now);
            reconciled.add(ACTUAL);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (store instanceof AutoCloseable closeable && store != jdbc) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            BudgetUsage usage = jdbc.usage(key, Instant.now());
            jdbc.close();
            execute(pool, "DROP TABLE " + prefix + "budget_reservation");
            execute(pool, "DROP TABLE " + prefix + "budget_period");
            execute(pool, "DROP TABLE " + prefix + "budget_schema");
            pool.close();
            if (usage.spentMicros() != reconciled.sum() || usage.reservedMicros() != held.sum()
                    || usage.spentMicros() + usage.reservedMicros() > LIMIT) {
                throw new IllegalStateException("budget mismatch: recorded " + usage + ", callers reconciled "
                        + reconciled.sum() + " and hold " + held.sum());
            }
            System.out.println("\nno overspend: " + ids.get() + " admissions, recorded spend " + usage.spentMicros()
                    + " = reconciled " + reconciled.sum() + ", reserved " + usage.reservedMicros()
                    + " = held " + held.sum());
        }
    }

    /** {@link JdbcBudgetStore} alone: every admission is a committed database decision. */
    @State(Scope.Benchmark)
    public static class JdbcState extends OpskitState {
        @Override
        BudgetStore wrap(JdbcBudgetStore jdbc) {
            return jdbc;
        }
    }

    /** {@link SlicedBudgetStore} over {@link JdbcBudgetStore}, slices of 500 cycles' worst case. */
    @State(Scope.Benchmark)
    public static class SlicedState extends OpskitState {
        @Override
        BudgetStore wrap(JdbcBudgetStore jdbc) {
            return SlicedBudgetStore.builder(jdbc).sliceMicros(500 * ESTIMATE).sliceLease(Duration.ofMinutes(2)).build();
        }
    }

    /** Bucket4j's PostgreSQL proxy manager with one bucket that never runs out. */
    @State(Scope.Benchmark)
    public static class Bucket4jState {
        String table;
        HikariDataSource pool;
        BucketProxy bucket;
        final LongAdder refused = new LongAdder();

        @Setup(Level.Trial)
        public void setUp() {
            table = "bucket4j_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
            pool = pool("bucket4j");
            execute(pool, "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, state BYTEA, expires_at BIGINT)");
            PostgreSQLSelectForUpdateBasedProxyManager<Long> proxyManager =
                    Bucket4jPostgreSQL.selectForUpdateBasedBuilder(pool).table(table).build();
            BucketConfiguration configuration = BucketConfiguration.builder()
                    .addLimit(limit -> limit.capacity(1_000_000_000L).refillGreedy(1_000_000_000L, Duration.ofSeconds(1)))
                    .build();
            bucket = proxyManager.builder().build(1L, () -> configuration);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            execute(pool, "DROP TABLE " + table);
            pool.close();
            if (refused.sum() > 0) {
                throw new IllegalStateException("Bucket4j refused " + refused.sum() + " under a limit it cannot reach");
            }
        }
    }

    @Benchmark
    public void opskitJdbc(JdbcState state) {
        state.admitOnly();
    }

    @Benchmark
    public void opskitJdbcCycle(JdbcState state) {
        state.cycle();
    }

    @Benchmark
    public void opskitJdbcSlices(SlicedState state) {
        state.cycle();
    }

    @Benchmark
    public boolean bucket4jPostgres(Bucket4jState state) {
        boolean admitted = state.bucket.tryConsume(1);
        if (!admitted) {
            state.refused.increment();
        }
        return admitted;
    }
}
