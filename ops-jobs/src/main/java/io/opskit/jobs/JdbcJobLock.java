package io.opskit.jobs;

import io.opskit.api.internal.Checks;
import io.opskit.api.internal.SqlDialect;
import io.opskit.api.jobs.JobHistory;
import io.opskit.api.jobs.JobLease;
import io.opskit.api.jobs.JobLock;
import io.opskit.api.jobs.JobRun;
import io.opskit.api.jobs.LeaseRequest;
import io.opskit.api.jobs.LockAttempt;
import io.opskit.api.jobs.RunOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link JobLock} and {@link JobHistory} in a SQL database (PostgreSQL, MariaDB/MySQL or SQLite)
 * that every replica reaches, so each due run of a job happens on one replica.
 *
 * <h2>How</h2>
 * One lease row per job. Acquiring is one conditional write:
 * {@code UPDATE job_lease SET holder, run_id, due_ms, lease_until_ms = now + lease WHERE job_name = ?
 * AND lease_until_ms <= now AND due_ms < ?}, where {@code now} is the database's clock. The database
 * serializes writers on the row, so one request wins; the others read the row to say who holds
 * it ({@link LockAttempt.Held}) or who already ran that due time ({@link LockAttempt.AlreadyRan}).
 * Because a due time can be claimed once, a replica whose clock runs ahead claims a run early but
 * never twice. Renewal extends {@code lease_until_ms} while the row still carries the run's id;
 * release sets it to the database's now. A replica that dies leaves its lease to expire.
 *
 * <p>History rows (the newest {@link Builder#historyLimit(int)} per job) are written by the
 * replica that ran: a row in {@code running} when a run starts, replaced when it ends; rows left
 * in {@code running} by a dead replica are marked {@code abandoned} by the next holder. Each write
 * is one transaction of two statements (an upsert of the row, then the trim). On PostgreSQL that
 * transaction is committed with {@code synchronous_commit} off for itself only: a run does not
 * wait for its history to reach the disk, and a crash of the database server can lose the last
 * fraction of a second of history rows, never a lease (lease writes always wait).
 *
 * <p>The schema (version {@value #SCHEMA_VERSION}) ships as
 * {@code io/opskit/jobs/schema/<postgresql|mariadb|sqlite>.sql} and is created by
 * {@link Builder#createSchemaOnStart(boolean)} or by the host's migrations. For SQLite shared by
 * several processes, give the data source a busy timeout.
 *
 * <p>Thread-safe. Every method throws {@link JobException} when the database cannot be reached.
 */
public final class JdbcJobLock implements JobLock, JobHistory {

    /** The schema version this lock reads and writes. */
    public static final int SCHEMA_VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(JdbcJobLock.class);
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,29}");
    private static final int SUMMARY_LIMIT = 1000;
    /** The due time of a lease row that was never acquired: before any real due time. */
    private static final long NEVER_DUE = -9_000_000_000_000_000L;

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final String name;
    private final int historyLimit;
    private final Set<String> knownJobs = ConcurrentHashMap.newKeySet();

    private final String insertLease;
    private final String acquire;
    private final String readLease;
    private final String renew;
    private final String release;
    private final String upsertRun;
    private final String recentRuns;
    private final String runningOthers;
    private final String markAbandoned;
    private final String trimRuns;
    private final Optional<String> historyCommit;

    private JdbcJobLock(Builder b) {
        this.dataSource = b.dataSource;
        this.historyLimit = b.historyLimit;
        String prefix = b.tablePrefix;
        this.dialect = detect(b.dataSource, prefix);
        this.name = "JDBC job lock (" + dialect.displayName() + ", tables " + prefix + "job_*)";
        String lease = prefix + "job_lease";
        String run = prefix + "job_run";
        String now = dialect.nowMillis();
        insertLease = dialect.insertIfAbsent(lease,
                "(job_name, holder, run_id, due_ms, acquired_ms, lease_until_ms) VALUES (?, '', '', " + NEVER_DUE + ", 0, 0)");
        acquire = "UPDATE " + lease + " SET holder = ?, run_id = ?, due_ms = ?, acquired_ms = " + now
                + ", lease_until_ms = " + now + " + ? WHERE job_name = ? AND lease_until_ms <= " + now + " AND due_ms < ?";
        readLease = "SELECT holder, run_id, due_ms, lease_until_ms, " + now + " FROM " + lease + " WHERE job_name = ?";
        renew = "UPDATE " + lease + " SET lease_until_ms = " + now + " + ? WHERE job_name = ? AND run_id = ?";
        release = "UPDATE " + lease + " SET lease_until_ms = " + now + " WHERE job_name = ? AND run_id = ?";
        upsertRun = dialect.upsert(run, "run_id",
                List.of("run_id", "job_name", "replica", "due_ms", "started_ms", "ended_ms", "outcome", "summary"));
        String columns = "run_id, job_name, replica, due_ms, started_ms, ended_ms, outcome, summary";
        recentRuns = "SELECT " + columns + " FROM " + run + " WHERE job_name = ? ORDER BY started_ms DESC, run_id DESC"
                + " LIMIT ?";
        runningOthers = "SELECT " + columns + " FROM " + run + " WHERE job_name = ? AND outcome = 'running'"
                + " AND run_id <> ?";
        markAbandoned = "UPDATE " + run + " SET outcome = 'abandoned', ended_ms = ?, summary = ?"
                + " WHERE run_id = ? AND outcome = 'running'";
        // The derived table lets MariaDB/MySQL read the table a DELETE writes.
        trimRuns = "DELETE FROM " + run + " WHERE job_name = ? AND outcome <> 'running' AND started_ms < (SELECT k.started_ms"
                + " FROM (SELECT started_ms FROM " + run + " WHERE job_name = ? ORDER BY started_ms DESC LIMIT 1 OFFSET ?) k)";
        // A history transaction may commit without waiting for the log to reach the disk, for that
        // transaction only, where the database allows it (PostgreSQL). Leases never do.
        historyCommit = dialect == SqlDialect.POSTGRESQL
                ? Optional.of("SET LOCAL synchronous_commit TO OFF") : Optional.empty();
        prepareSchema(Boolean.TRUE.equals(b.createSchemaOnStart), prefix);
        LOG.info("{} ready", name);
    }

    /**
     * Starts configuring a lock on {@code dataSource}; the dialect is detected from the connection's
     * metadata when it is built.
     *
     * @param dataSource the shared database; not null
     * @return the builder
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    @Override
    public LockAttempt tryAcquire(LeaseRequest request) {
        Objects.requireNonNull(request, "request");
        String job = request.job();
        long due = request.dueAt().toEpochMilli();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            if (knownJobs.add(job)) {
                try (PreparedStatement ps = c.prepareStatement(insertLease)) {
                    ps.setString(1, job);
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement(acquire)) {
                ps.setString(1, request.replica());
                ps.setString(2, request.runId());
                ps.setLong(3, due);
                ps.setLong(4, request.leaseTime().toMillis());
                ps.setString(5, job);
                ps.setLong(6, due);
                if (ps.executeUpdate() == 1) {
                    return new LockAttempt.Acquired(new JobLease(job, request.runId(), request.replica(),
                            request.dueAt(), Clock.systemUTC().instant()));
                }
            }
            try (PreparedStatement ps = c.prepareStatement(readLease)) {
                ps.setString(1, job);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        // The row was deleted behind our back: create it again next time.
                        knownJobs.remove(job);
                        return new LockAttempt.Held("unknown", "unknown");
                    }
                    String holder = rs.getString(1);
                    String runId = rs.getString(2);
                    long lastDue = rs.getLong(3);
                    long until = rs.getLong(4);
                    long now = rs.getLong(5);
                    if (until > now) {
                        return new LockAttempt.Held(holder, runId);
                    }
                    return new LockAttempt.AlreadyRan(holder, Instant.ofEpochMilli(lastDue));
                }
            }
        } catch (SQLException e) {
            throw failure("could not acquire the lease of job '" + job + "'", e);
        }
    }

    @Override
    public boolean renew(JobLease lease, Duration leaseTime) {
        Objects.requireNonNull(lease, "lease");
        Checks.requirePositive(leaseTime, "leaseTime");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(renew)) {
            ps.setLong(1, leaseTime.toMillis());
            ps.setString(2, lease.job());
            ps.setString(3, lease.runId());
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failure("could not renew the lease of job '" + lease.job() + "'", e);
        }
    }

    @Override
    public void release(JobLease lease) {
        Objects.requireNonNull(lease, "lease");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(release)) {
            ps.setString(1, lease.job());
            ps.setString(2, lease.runId());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("could not release the lease of job '" + lease.job() + "'", e);
        }
    }

    @Override
    public void record(JobRun run) {
        Objects.requireNonNull(run, "run");
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                if (historyCommit.isPresent()) {
                    try (Statement st = c.createStatement()) {
                        st.execute(historyCommit.get());
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(upsertRun)) {
                    ps.setString(1, run.runId());
                    ps.setString(2, run.job());
                    ps.setString(3, run.replica());
                    ps.setLong(4, run.dueAt().toEpochMilli());
                    ps.setLong(5, run.startedAt().toEpochMilli());
                    if (run.endedAt().isPresent()) {
                        ps.setLong(6, run.endedAt().get().toEpochMilli());
                    } else {
                        ps.setNull(6, Types.BIGINT);
                    }
                    ps.setString(7, run.outcome().wireName());
                    ps.setString(8, truncate(run.summary()));
                    ps.executeUpdate();
                }
                trim(c, run.job());
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw failure("could not record run " + run.runId() + " of job '" + run.job() + "'", e);
        }
    }

    private void trim(Connection c, String job) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(trimRuns)) {
            ps.setString(1, job);
            ps.setString(2, job);
            ps.setInt(3, historyLimit - 1);
            ps.executeUpdate();
        }
    }

    @Override
    public List<JobRun> recent(String job, int limit) {
        Objects.requireNonNull(job, "job");
        Checks.requirePositive(limit, "limit");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(recentRuns)) {
            ps.setString(1, job);
            ps.setInt(2, limit);
            return readRuns(ps);
        } catch (SQLException e) {
            throw failure("could not read the history of job '" + job + "'", e);
        }
    }

    @Override
    public List<JobRun> abandonOthers(String job, String currentRunId, Instant at) {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(currentRunId, "currentRunId");
        Objects.requireNonNull(at, "at");
        try (Connection c = dataSource.getConnection()) {
            List<JobRun> running;
            try (PreparedStatement ps = c.prepareStatement(runningOthers)) {
                ps.setString(1, job);
                ps.setString(2, currentRunId);
                running = readRuns(ps);
            }
            List<JobRun> marked = new ArrayList<>();
            for (JobRun r : running) {
                String summary = "abandoned: replica " + r.replica() + " stopped during the run; lease taken over by run "
                        + currentRunId;
                try (PreparedStatement ps = c.prepareStatement(markAbandoned)) {
                    ps.setLong(1, at.toEpochMilli());
                    ps.setString(2, truncate(summary));
                    ps.setString(3, r.runId());
                    if (ps.executeUpdate() == 1) {
                        marked.add(r.ended(at, RunOutcome.ABANDONED, summary));
                    }
                }
            }
            return List.copyOf(marked);
        } catch (SQLException e) {
            throw failure("could not mark abandoned runs of job '" + job + "'", e);
        }
    }

    private static List<JobRun> readRuns(PreparedStatement ps) throws SQLException {
        List<JobRun> runs = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long ended = rs.getLong(6);
                Optional<Instant> endedAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(ended));
                runs.add(new JobRun(rs.getString(2), rs.getString(1), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)),
                        Instant.ofEpochMilli(rs.getLong(5)), endedAt, RunOutcome.ofWireName(rs.getString(7)),
                        rs.getString(8)));
            }
        }
        return List.copyOf(runs);
    }

    private static String truncate(String s) {
        return s.length() <= SUMMARY_LIMIT ? s : s.substring(0, SUMMARY_LIMIT - 1) + "…";
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }

    private JobException failure(String what, SQLException e) {
        return new JobException(name, name + " " + what + " (" + e.getMessage() + "); check the database", e);
    }

    private static SqlDialect detect(DataSource dataSource, String prefix) {
        String subject = "JDBC job lock (tables " + prefix + "job_*)";
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName();
            return SqlDialect.fromProductName(product).orElseThrow(() -> new IllegalArgumentException(
                    "database must be " + SqlDialect.SUPPORTED + ": '" + product + "'"));
        } catch (SQLException e) {
            throw new JobException(subject, subject + " could not reach its database (" + e.getMessage()
                    + "); check the data source", e);
        }
    }

    private void prepareSchema(boolean create, String prefix) {
        if (create) {
            String script = loadSchema(prefix);
            SQLException last = null;
            // Replicas starting together may race on CREATE ... IF NOT EXISTS (PostgreSQL's catalog
            // can report a duplicate); a second pass finds everything in place.
            for (int attempt = 0; attempt < 3; attempt++) {
                try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
                    c.setAutoCommit(true);
                    for (String statement : SqlDialect.statements(script)) {
                        st.execute(statement);
                    }
                    last = null;
                    break;
                } catch (SQLException e) {
                    last = e;
                }
            }
            if (last != null) {
                throw new JobException(name, name + " could not create its schema (" + last.getMessage()
                        + "); create it with " + schemaResource().substring(1), last);
            }
        }
        int version;
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT MAX(version) FROM " + prefix + "job_schema")) {
            version = rs.next() ? rs.getInt(1) : 0;
        } catch (SQLException e) {
            throw new JobException(name, name + " found no schema (" + e.getMessage() + "); create it with "
                    + schemaResource().substring(1) + " or set createSchemaOnStart(true)", e);
        }
        if (version != SCHEMA_VERSION) {
            throw new JobException(name, name + " found schema version " + version + " but needs version "
                    + SCHEMA_VERSION + "; migrate the tables", null);
        }
    }

    private String loadSchema(String prefix) {
        try (InputStream in = JdbcJobLock.class.getResourceAsStream(schemaResource())) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + schemaResource());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${prefix}", prefix);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + schemaResource(), e);
        }
    }

    private String schemaResource() {
        return "/io/opskit/jobs/schema/" + dialect.resourceName() + ".sql";
    }

    /** Builds a {@link JdbcJobLock}. Not thread-safe; use from one thread. */
    public static final class Builder {
        private final DataSource dataSource;
        private String tablePrefix = "opskit_";
        private boolean prefixSet;
        private @Nullable Boolean createSchemaOnStart;
        private int historyLimit = 100;
        private boolean historyLimitSet;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /**
         * The prefix of the tables; default {@code opskit_}.
         *
         * @param value a lowercase letter, then up to 29 lowercase letters, digits or {@code _}
         * @return this builder
         * @throws IllegalArgumentException when malformed
         * @throws IllegalStateException    when already set
         */
        public Builder tablePrefix(String value) {
            Objects.requireNonNull(value, "tablePrefix");
            if (prefixSet) {
                throw new IllegalStateException("tablePrefix was already set");
            }
            if (!PREFIX.matcher(value).matches()) {
                throw new IllegalArgumentException(
                        "tablePrefix must be a lowercase letter then up to 29 lowercase letters, digits or '_': '"
                                + value + "'");
            }
            this.tablePrefix = value;
            this.prefixSet = true;
            return this;
        }

        /**
         * Whether {@link #build()} creates the tables when they are missing (the host allows DDL);
         * default false: the host's migrations create them from the shipped schema.
         *
         * @param value true to create
         * @return this builder
         * @throws IllegalStateException when already set
         */
        public Builder createSchemaOnStart(boolean value) {
            Checks.requireUnset(createSchemaOnStart, "createSchemaOnStart");
            this.createSchemaOnStart = value;
            return this;
        }

        /**
         * How many runs per job the history table keeps; default 100.
         *
         * @param value 1 to 100000
         * @return this builder
         * @throws IllegalArgumentException when out of range
         * @throws IllegalStateException    when already set
         */
        public Builder historyLimit(int value) {
            if (historyLimitSet) {
                throw new IllegalStateException("historyLimit was already set");
            }
            if (value < 1 || value > 100_000) {
                throw new IllegalArgumentException("historyLimit must be between 1 and 100000: " + value);
            }
            this.historyLimit = value;
            this.historyLimitSet = true;
            return this;
        }

        /**
         * Detects the dialect, creates or checks the schema, and returns the lock.
         *
         * @return the lock
         * @throws JobException when the database is unreachable, the schema is missing or of another
         *                      version
         */
        public JdbcJobLock build() {
            if (createSchemaOnStart == null) {
                createSchemaOnStart = false;
            }
            return new JdbcJobLock(this);
        }
    }
}
