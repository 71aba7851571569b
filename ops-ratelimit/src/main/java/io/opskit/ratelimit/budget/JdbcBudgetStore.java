package io.opskit.ratelimit.budget;

import io.opskit.api.internal.Checks;
import io.opskit.api.internal.SqlDialect;
import io.opskit.api.budget.Admission;
import io.opskit.api.budget.BudgetKey;
import io.opskit.api.budget.BudgetStore;
import io.opskit.api.budget.BudgetStoreException;
import io.opskit.api.budget.BudgetUsage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BudgetStore} in a SQL database (PostgreSQL, MariaDB/MySQL or SQLite), so that several
 * instances of a host share one budget. Build it once per {@link DataSource} with
 * {@link #builder(DataSource)} and {@link #close()} it on shutdown.
 *
 * <p>How it stays exact under concurrency: each budget period has one counter row holding
 * reconciled spend and open reservations. An admission is one conditional write,
 * {@code UPDATE ... SET reserved = reserved + amount WHERE spent + reserved + amount <= limit},
 * which the database serializes on that row; no row is read first and no lock is held across the
 * caller's provider call. Reservation rows record each lease; when an admission would be refused,
 * leases that ended are first reclaimed (their amount stops counting) and the admission is tried
 * again. Rows of ended leases are deleted after {@link Builder#expiredRetention(Duration)}.
 *
 * <p>Group commit: one writer thread takes every operation waiting at that moment and carries
 * them out in one transaction, so concurrent admissions share round trips and one commit. Each
 * call returns only after its transaction committed: an admission is decided and durable before
 * the caller proceeds. The writer holds one pooled connection while busy and returns it after two
 * idle seconds. {@link #usage} reads through the pool directly.
 *
 * <p>Durability is the database's: PostgreSQL with {@code synchronous_commit = on}, InnoDB with
 * {@code innodb_flush_log_at_trx_commit = 1}, SQLite in its default journal modes. For SQLite
 * shared by several processes, give the data source a busy timeout (sqlite-jdbc's default is 3 s).
 *
 * <p>The schema (version 1) ships as {@code io/opskit/ratelimit/budget/schema/<dialect>.sql} and is
 * created by {@link Builder#createSchemaOnStart(boolean)} or by the host's migrations.
 *
 * <p>Thread-safe. Every operation may throw {@link BudgetStoreException} when the database cannot
 * be reached or does not answer within {@link Builder#operationTimeout(Duration)}; the caller must
 * then refuse (fail closed).
 */
public final class JdbcBudgetStore implements BudgetStore, AutoCloseable {

    /** The schema version this store reads and writes. */
    public static final int SCHEMA_VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(JdbcBudgetStore.class);
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,29}");
    private static final AtomicInteger WRITERS = new AtomicInteger();
    private static final int WRITERS_PER_STORE = 1;

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final BudgetSql sql;
    private final String name;
    private final List<BudgetWriter> writers;
    private final BudgetWriter writer;

    private JdbcBudgetStore(Builder builder) {
        this.dataSource = builder.dataSource;
        this.dialect = detect(builder.dataSource, builder.tablePrefix);
        this.sql = new BudgetSql(dialect, builder.tablePrefix);
        this.name = "JDBC budget store (" + dialect.displayName() + ", tables " + builder.tablePrefix + "budget_*)";
        prepareSchema(builder.createSchemaOnStart, builder.tablePrefix);
        ThreadFactory threads = builder.threadFactory != null ? builder.threadFactory : runnable -> {
            Thread thread = new Thread(runnable, "opskit-budget-writer-" + WRITERS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        // One writer: measured on PostgreSQL, a second writer's batch only waits for the first
        // one's period-row lock, so batches get smaller and throughput drops by about half.
        this.writers = BudgetWriter.start(WRITERS_PER_STORE, dataSource, dialect, sql, name, builder.maxBatchSize,
                builder.expiredRetention, builder.reclaimInterval, builder.operationTimeout, threads);
        this.writer = writers.get(0);
        LOG.info("{} started", name);
    }

    /**
     * Starts configuring a store on {@code dataSource}; the dialect is detected from the
     * connection's metadata when the store is built.
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns after the decision is committed. Repeating a reserve with the id of a reservation
     * that is still open admits without counting it twice. {@link Admission#reservedMicros()} may
     * still include leases that ended but were not reclaimed yet (they are, before any refusal).
     *
     * @throws IllegalArgumentException when an amount is negative, the id is empty or longer than
     *         64 characters, or {@code leaseUntil} is not after {@code now}
     */
    @Override
    public Admission reserve(BudgetKey key, String reservationId, long amountMicros, long limitMicros,
                             Instant now, Instant leaseUntil) {
        Arguments.checkReserve(key, reservationId, amountMicros, limitMicros, now, leaseUntil);
        return writer.reserve(key, reservationId, amountMicros, limitMicros, now.toEpochMilli(),
                leaseUntil.toEpochMilli());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns after the spend is committed.
     *
     * @throws IllegalArgumentException when {@code actualMicros} is negative
     */
    @Override
    public void reconcile(BudgetKey key, String reservationId, long actualMicros, Instant now) {
        Objects.requireNonNull(key, "key");
        Arguments.checkId(reservationId);
        Arguments.checkMicros("actualMicros", actualMicros);
        Objects.requireNonNull(now, "now");
        writer.settle(key, reservationId, actualMicros, false);
    }

    /** {@inheritDoc} Returns after the release is committed. */
    @Override
    public void release(BudgetKey key, String reservationId) {
        Objects.requireNonNull(key, "key");
        Arguments.checkId(reservationId);
        writer.settle(key, reservationId, 0, true);
    }

    /** {@inheritDoc} One consistent read; leases that ended by {@code now} are not counted. */
    @Override
    public BudgetUsage usage(BudgetKey key, Instant now) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(now, "now");
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(sql.usage)) {
            ps.setLong(1, now.toEpochMilli());
            ps.setString(2, key.scope());
            ps.setString(3, key.period());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new BudgetUsage(key, 0, 0);
                }
                return new BudgetUsage(key, rs.getLong(1), Math.max(0, rs.getLong(2)));
            }
        } catch (SQLException e) {
            throw new BudgetStoreException(name + " could not read usage (" + e.getMessage()
                    + "); check the database", e);
        }
    }

    /** Stops the writer thread; operations still waiting fail with {@link BudgetStoreException}. */
    @Override
    public void close() {
        for (BudgetWriter w : writers) {
            w.close();
        }
        LOG.info("{} stopped", name);
    }

    @Override
    public String toString() {
        return name;
    }

    private static SqlDialect detect(DataSource dataSource, String prefix) {
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName();
            return SqlDialect.fromProductName(product).orElseThrow(() -> new SQLException("unsupported database '"
                    + product + "': the budget store supports " + SqlDialect.SUPPORTED.replace(" or ", " and ")));
        } catch (SQLException e) {
            throw new BudgetStoreException("JDBC budget store (tables " + prefix
                    + "budget_*) could not reach its database (" + e.getMessage() + "); check the data source", e);
        }
    }

    private void prepareSchema(boolean create, String prefix) {
        try (Connection c = dataSource.getConnection()) {
            if (create) {
                createSchema(c, prefix);
            }
            int version;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql.readSchemaVersion)) {
                version = rs.next() ? rs.getInt(1) : 0;
            } catch (SQLException e) {
                throw new BudgetStoreException(name + " found no schema (" + e.getMessage() + "); create it with "
                        + schemaResource().substring(1) + " or set createSchemaOnStart(true)", e);
            }
            if (version != SCHEMA_VERSION) {
                throw new BudgetStoreException(name + " found schema version " + version
                        + " but needs version " + SCHEMA_VERSION + "; migrate the tables", null);
            }
        } catch (SQLException e) {
            throw new BudgetStoreException(name + " could not prepare its schema (" + e.getMessage()
                    + "); check the data source", e);
        }
    }

    /** Where the dialect's schema script lives on the class path. */
    private String schemaResource() {
        return "/io/opskit/ratelimit/budget/schema/" + dialect.resourceName() + ".sql";
    }

    /** The schema script's statements with the table prefix filled in. */
    private List<String> schemaStatements(String tablePrefix) {
        String script;
        try (InputStream in = Objects.requireNonNull(
                JdbcBudgetStore.class.getResourceAsStream(schemaResource()), schemaResource())) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return SqlDialect.statements(script.replace("${prefix}", tablePrefix));
    }

    private void createSchema(Connection c, String prefix) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(true);
        try {
            for (String statement : schemaStatements(prefix)) {
                try (Statement st = c.createStatement()) {
                    st.execute(statement);
                } catch (SQLException e) {
                    // Two instances creating the schema at once: PostgreSQL may report the loser's
                    // CREATE ... IF NOT EXISTS as a duplicate; the winner's objects are what we need.
                    if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
                        throw e;
                    }
                }
            }
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** Configures a {@link JdbcBudgetStore}. Not thread-safe; build once. */
    public static final class Builder {

        private final DataSource dataSource;
        private String tablePrefix = "opskit_";
        private boolean createSchemaOnStart;
        private Duration expiredRetention = Duration.ofHours(1);
        private Duration reclaimInterval = Duration.ofMinutes(1);
        private Duration operationTimeout = Duration.ofSeconds(10);
        private int maxBatchSize = 128;
        private @org.jspecify.annotations.Nullable ThreadFactory threadFactory;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /**
         * Prefix of the store's three tables ({@code <prefix>budget_period}, ...): lowercase
         * letters, digits and underscores, starting with a letter, at most 30 characters.
         * Default {@code "opskit_"}.
         *
         * @throws IllegalArgumentException when it does not match
         */
        public Builder tablePrefix(String tablePrefix) {
            Objects.requireNonNull(tablePrefix, "tablePrefix");
            if (!PREFIX.matcher(tablePrefix).matches()) {
                throw new IllegalArgumentException(
                        "tablePrefix must be a lowercase letter then up to 29 of [a-z0-9_]: '" + tablePrefix + "'");
            }
            this.tablePrefix = tablePrefix;
            return this;
        }

        /** Whether {@link #build()} creates missing tables from the shipped script. Default false. */
        public Builder createSchemaOnStart(boolean createSchemaOnStart) {
            this.createSchemaOnStart = createSchemaOnStart;
            return this;
        }

        /**
         * How long rows of ended leases are kept so that a late reconcile still records its spend.
         * They no longer count against the budget meanwhile. Default one hour.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder expiredRetention(Duration expiredRetention) {
            Objects.requireNonNull(expiredRetention, "expiredRetention");
            if (expiredRetention.isNegative()) {
                throw new IllegalArgumentException("expiredRetention must be zero or more: " + expiredRetention);
            }
            this.expiredRetention = expiredRetention;
            return this;
        }

        /**
         * How often (by the callers' {@code now}) ended leases are reclaimed in a period even when
         * nothing is refused, to keep reported figures and the table tidy. Default one minute.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder reclaimInterval(Duration reclaimInterval) {
            Checks.requirePositive(reclaimInterval, "reclaimInterval");
            this.reclaimInterval = reclaimInterval;
            return this;
        }

        /**
         * How long a caller waits for its operation to be committed before it gets a
         * {@link BudgetStoreException}. Default ten seconds.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder operationTimeout(Duration operationTimeout) {
            Checks.requirePositive(operationTimeout, "operationTimeout");
            this.operationTimeout = operationTimeout;
            return this;
        }

        /**
         * The most operations carried out in one transaction. Default 128.
         *
         * @throws IllegalArgumentException when below 1 or above 10,000
         */
        public Builder maxBatchSize(int maxBatchSize) {
            if (maxBatchSize < 1 || maxBatchSize > 10_000) {
                throw new IllegalArgumentException("maxBatchSize must be 1 to 10000: " + maxBatchSize);
            }
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        /** Makes the writer thread; default a daemon thread named {@code opskit-budget-writer-N}. */
        public Builder threadFactory(ThreadFactory threadFactory) {
            this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
            return this;
        }

        /**
         * Detects the dialect, prepares the schema and starts the writer thread.
         *
         * @throws BudgetStoreException when the database cannot be reached, is not supported, or
         *         has no schema (or another version) and {@link #createSchemaOnStart} is off
         */
        public JdbcBudgetStore build() {
            return new JdbcBudgetStore(this);
        }
    }
}
