package io.opskit.db.tasks;

import io.micrometer.core.instrument.MeterRegistry;
import io.opskit.api.Ticker;
import io.opskit.api.internal.Checks;
import io.opskit.api.internal.DurationText;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.Severity;
import io.opskit.api.task.OpsTask;
import io.opskit.api.task.TaskCancelledException;
import io.opskit.api.task.TaskContext;
import io.opskit.api.task.TaskOutcome;
import io.opskit.db.DbSystem;
import io.opskit.db.OpsDbError;
import io.opskit.db.OpsDbException;
import io.opskit.db.internal.ArchiveFiles;
import io.opskit.db.internal.DbEvents;
import io.opskit.db.internal.SessionLimits;
import io.opskit.db.internal.TaskMeters;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link RetentionRule} in keyset batches: each batch (walking the key column upwards) is
 * one transaction that copies the rows to the destination and deletes them, then records the last
 * key in {@code opskit_retention_state} (schema in ops-db's {@code schema/retention.sql}), so a
 * crash at any point loses and duplicates nothing and a rerun resumes after the last committed
 * batch. A run that reaches the end clears its checkpoint.
 *
 * <p>Batch size: the first batch has 1,000 rows and the next ones are sized from the rate of the
 * last so that each takes about {@link Builder#batchTime(Duration)} (default 100 ms; between 100
 * and 100,000 rows, at most doubling from one batch to the next), so another writer waits for a
 * row at most about that long whatever the row width and the machine. {@link Builder#batchSize(int)}
 * alone fixes the size; archive files keep a fixed size (default 1,000 rows, as each batch is held
 * in memory) unless a batch time is given.
 *
 * <p>Between batches it pauses (default 10 ms) so other writers get the locks; each statement has
 * a statement timeout (default 30 s) and waits at most the lock timeout (default 2 s) for a lock.
 * It stops cleanly after the batch in progress when the task's deadline or its own
 * {@link Builder#deadline(Duration)} passes, reporting {@code complete=false}.
 *
 * <p>Before moving anything it counts the matching rows: above {@link Builder#maxFraction(double)}
 * of the table (default 0.5) it refuses with {@link OpsDbError#RETENTION_REFUSED} unless
 * {@link Builder#force()} was given. A {@link Builder#dryRun()} only counts. A batch whose copy and
 * delete disagree is rolled back ({@link OpsDbError#RETENTION_INCONSISTENT}). Thread-safe: each
 * run uses its own connection; two runs of one rule at once are the scheduler's to prevent.
 *
 * <p>Every {@linkplain Builder#notifier(Notifier) notifier} hears, with source {@code db:NAME}:
 * {@value #COMPLETED} (INFO) after a run that moved rows or found none, also when it stopped at its
 * deadline ({@code complete=false}); {@value #REFUSED} (WARNING) when the fraction limit refused
 * the run; {@value #FAILED} (WARNING) when a statement, the destination or the consistency check
 * failed. Dry runs publish nothing.
 */
public final class RetentionTask implements OpsTask {

    private static final Logger log = LoggerFactory.getLogger(RetentionTask.class);
    /** The checkpoint table. */
    public static final String STATE_TABLE = "opskit_retention_state";
    /** The first batch's size unless {@link Builder#batchSize(int)} says otherwise. */
    public static final int DEFAULT_BATCH_SIZE = 1000;
    /** What batches are sized to take unless the builder says otherwise. */
    public static final Duration DEFAULT_BATCH_TIME = Duration.ofMillis(100);
    /** The smallest and largest sized batch. */
    static final int MIN_SIZED_BATCH = 100;
    static final int MAX_BATCH = 100_000;
    /** Event type: a run ended, rows moved ({@code rows}, {@code table}, {@code complete}). */
    public static final String COMPLETED = "db.retention.completed";
    /** Event type: a run failed; {@code rows} moved before the failure stay moved. */
    public static final String FAILED = "db.retention.failed";
    /** Event type: a run was refused above the allowed fraction of the table without force. */
    public static final String REFUSED = "db.retention.refused";

    private final DataSource dataSource;
    private final RetentionRule rule;
    private final String name;
    /** The first batch's size; every batch's when {@link #batchTime} is null. */
    private final int batchSize;
    /** The duration batches are sized to, or null for a fixed size. */
    private final @Nullable Duration batchTime;
    private final Duration pause;
    private final Duration lockTimeout;
    private final Duration statementTimeout;
    private final @Nullable Duration deadline;
    private final double maxFraction;
    private final boolean force;
    private final boolean dryRun;
    private final Clock clock;
    private final Ticker ticker;
    private final TaskMeters meters;
    private final DbEvents events;

    private RetentionTask(Builder b) {
        this.dataSource = b.dataSource;
        this.rule = b.rule;
        this.name = b.name == null ? "retention:" + rule.tableName() : b.name;
        this.batchSize = b.batchSize == 0 ? DEFAULT_BATCH_SIZE : b.batchSize;
        boolean file = rule.destination() instanceof RetentionRule.Destination.File;
        // A file batch is held in memory whole, so its size stays fixed unless the host asks otherwise.
        this.batchTime = b.batchTime != null ? b.batchTime
                : b.batchSize == 0 && !file ? DEFAULT_BATCH_TIME : null;
        this.pause = b.pause == null ? Duration.ofMillis(10) : b.pause;
        this.lockTimeout = b.lockTimeout == null ? Duration.ofSeconds(2) : b.lockTimeout;
        this.statementTimeout = b.statementTimeout == null ? Duration.ofSeconds(30) : b.statementTimeout;
        this.deadline = b.deadline;
        this.maxFraction = Double.isNaN(b.maxFraction) ? 0.5 : b.maxFraction;
        this.force = b.force;
        this.dryRun = b.dryRun;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.ticker = b.ticker == null ? Ticker.system() : b.ticker;
        this.meters = TaskMeters.retention(b.registry, name, rule.tableName(), destinationName(rule.destination()));
        this.events = new DbEvents(b.notifiers, "retention " + name, clock);
    }

    /** Starts a builder for {@code rule} over {@code dataSource}. */
    public static Builder builder(DataSource dataSource, RetentionRule rule) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"), Objects.requireNonNull(rule, "rule"));
    }

    private static String destinationName(RetentionRule.Destination d) {
        if (d instanceof RetentionRule.Destination.Table) {
            return "archive_table";
        }
        if (d instanceof RetentionRule.Destination.File) {
            return "archive_file";
        }
        return "delete";
    }

    @Override
    public String name() {
        return name;
    }

    /** The rule this task runs. */
    public RetentionRule rule() {
        return rule;
    }

    /** The point in time rows must be older than, for a run starting at {@code now}. */
    public Instant cutoff(Instant now) {
        if (rule.age() instanceof Period p) {
            return now.atOffset(ZoneOffset.UTC).minus(p).toInstant();
        }
        return now.minus((Duration) rule.age());
    }

    /**
     * Counts what a run would remove, without changing anything.
     *
     * @throws SQLException when the database cannot be read
     */
    public RetentionPlan plan() throws SQLException {
        Instant cutoff = cutoff(clock.instant());
        try (SessionLimits.Session session = SessionLimits.open(dataSource, statementTimeout, lockTimeout)) {
            return plan(session.connection(), session.system(), cutoff);
        }
    }

    private RetentionPlan plan(Connection c, DbSystem system, Instant cutoff) throws SQLException {
        long matching;
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + rule.tableName() + " WHERE "
                + condition())) {
            ps.setQueryTimeout(SessionLimits.querySeconds(statementTimeout));
            bindCutoff(ps, 1, system, cutoff);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                matching = rs.getLong(1);
            }
        }
        long total;
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(SessionLimits.querySeconds(statementTimeout));
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + rule.tableName())) {
                rs.next();
                total = rs.getLong(1);
            }
        }
        return new RetentionPlan(rule.tableName(), cutoff, matching, total);
    }

    private String condition() {
        return rule.timeColumn() + " < ?" + rule.where().map(w -> " AND (" + w + ")").orElse("");
    }

    private void bindCutoff(PreparedStatement ps, int index, DbSystem system, Instant cutoff) throws SQLException {
        switch (rule.timeFormat()) {
            case EPOCH_MILLIS -> ps.setLong(index, cutoff.toEpochMilli());
            case EPOCH_SECONDS -> ps.setLong(index, cutoff.getEpochSecond());
            case ISO_TEXT -> ps.setString(index, cutoff.toString());
            case TIMESTAMP -> {
                switch (system) {
                    case POSTGRESQL -> ps.setObject(index, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC));
                    case SQLITE -> ps.setString(index, DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
                            .format(cutoff.atOffset(ZoneOffset.UTC)));
                    default -> ps.setObject(index, cutoff.atOffset(ZoneOffset.UTC).toLocalDateTime());
                }
            }
        }
    }

    /**
     * Runs the rule: a dry run counts, otherwise batches until no row matches, the deadline
     * passes or the context is cancelled.
     *
     * @throws OpsDbException with {@link OpsDbError#RETENTION_REFUSED} above the allowed fraction without force,
     *                        {@link OpsDbError#RETENTION_INCONSISTENT} when a batch's copy and delete disagree
     * @throws SQLException   when a statement fails (the batch in progress is rolled back)
     * @throws TaskCancelledException when interrupted during a pause
     */
    @Override
    public TaskOutcome run(TaskContext context) throws Exception {
        Objects.requireNonNull(context, "context");
        long[] progress = {0, Long.MIN_VALUE}; // rows moved so far, last key
        try {
            return runOnce(context, progress);
        } catch (Exception e) {
            if (!dryRun && !(e instanceof OpsDbException o && o.code() == OpsDbError.RETENTION_REFUSED)) {
                publishFailed(e, progress);
            }
            throw e;
        }
    }

    private TaskOutcome runOnce(TaskContext context, long[] progress) throws Exception {
        Instant started = clock.instant();
        Instant cutoff = cutoff(started);
        Instant stopAt = deadline == null ? context.deadline() : min(context.deadline(), started.plus(deadline));
        try (SessionLimits.Session session = SessionLimits.open(dataSource, statementTimeout, lockTimeout)) {
            Connection c = session.connection();
            DbSystem system = session.system();
            if (system == DbSystem.OTHER) {
                throw new OpsDbException(OpsDbError.UNSUPPORTED_DATABASE, name,
                        "retention supports SQLite, PostgreSQL and MariaDB/MySQL only", "run it against one of those", null);
            }
            RetentionPlan plan = plan(c, system, cutoff);
            Map<String, String> details = new LinkedHashMap<>();
            details.put("table", rule.tableName());
            details.put("cutoff", cutoff.toString());
            details.put("matching_rows", Long.toString(plan.matchingRows()));
            details.put("total_rows", Long.toString(plan.totalRows()));
            if (dryRun) {
                details.put("dry_run", "true");
                return new TaskOutcome.Done("dry run: would " + verb() + " " + plan.matchingRows() + " of "
                        + plan.totalRows() + " rows of " + rule.tableName() + " older than " + cutoff, details);
            }
            if (plan.fraction() > maxFraction && !force) {
                String message = String.format(Locale.ROOT,
                        "retention %s would remove %d of %d rows (%.1f %%), above the allowed %.1f %%",
                        name, plan.matchingRows(), plan.totalRows(), plan.fraction() * 100, maxFraction * 100);
                events.publish(source(), REFUSED, Severity.WARNING, message + "; nothing was moved",
                        labels("matching_rows", Long.toString(plan.matchingRows()),
                                "total_rows", Long.toString(plan.totalRows()),
                                "max_fraction", Double.toString(maxFraction)));
                throw new OpsDbException(OpsDbError.RETENTION_REFUSED, name, message,
                        "check the rule, then run with force() or raise maxFraction", null);
            }
            Batcher batcher = new Batcher(c, system, cutoff);
            batcher.ensureStateTable();
            long lastKey = batcher.checkpoint();
            progress[1] = lastKey;
            long moved = 0;
            int batches = 0;
            int size = batchSize;
            int largest = 0;
            boolean complete = false;
            log.info("retention {}: {} rows of {} older than {} to {}, resuming after key {}", name,
                    plan.matchingRows(), rule.tableName(), cutoff, verb(), lastKey == Long.MIN_VALUE ? "-" : lastKey);
            while (true) {
                if (context.isCancelled() || !clock.instant().isBefore(stopAt)) {
                    break;
                }
                long begin = ticker.read();
                BatchResult result = batcher.batch(lastKey, size);
                long nanos = ticker.read() - begin;
                meters.time(nanos);
                largest = Math.max(largest, (int) result.rows());
                if (batchTime != null) {
                    size = nextSize(size, result.rows(), nanos, batchTime);
                }
                if (result.exhausted()) {
                    batcher.clearCheckpoint();
                    complete = true;
                    break;
                }
                moved += result.rows();
                lastKey = result.lastKey();
                progress[0] = moved;
                progress[1] = lastKey;
                batches++;
                meters.rows(result.rows());
                context.progress(plan.matchingRows() == 0 ? 1 : Math.min(1, (double) moved / plan.matchingRows()),
                        moved + " rows moved, last key " + lastKey);
                if (!pause.isZero()) {
                    try {
                        Thread.sleep(pause.toMillis(), pause.toNanosPart() % 1_000_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new TaskCancelledException(name, "interrupted between batches");
                    }
                }
            }
            details.put("rows", Long.toString(moved));
            details.put("batches", Integer.toString(batches));
            details.put("largest_batch", Integer.toString(largest));
            details.put("complete", Boolean.toString(complete));
            details.put("duration", DurationText.format(Duration.between(started, clock.instant())));
            if (lastKey != Long.MIN_VALUE) {
                details.put("last_key", Long.toString(lastKey));
            }
            String summary = verb() + " " + moved + " rows of " + rule.tableName() + " older than " + cutoff + " in "
                    + batches + " batches" + (complete ? "" : "; stopped at the deadline, the next run resumes after key " + lastKey);
            log.info("retention {}: {}", name, summary);
            events.publish(source(), COMPLETED, Severity.INFO, "retention " + name + ": " + summary,
                    labels("rows", Long.toString(moved), "batches", Integer.toString(batches),
                            "complete", Boolean.toString(complete)));
            return new TaskOutcome.Done(summary, details);
        }
    }

    /**
     * The next batch's size: what the last batch's rate would move in {@code target}, at most twice
     * the last size (one slow or fast batch must not swing it far), within 100 and 100,000 rows.
     * Unchanged after a batch that moved nothing.
     */
    static int nextSize(int size, long rows, long nanos, Duration target) {
        if (rows <= 0) {
            return size;
        }
        double wanted = (double) rows * target.toNanos() / Math.max(1, nanos);
        double capped = Math.min(wanted, 2.0 * size);
        return (int) Math.max(MIN_SIZED_BATCH, Math.min(MAX_BATCH, Math.round(capped)));
    }

    private String source() {
        return "db:" + name;
    }

    /** The labels every retention event carries, then {@code extra} name/value pairs. */
    private Map<String, String> labels(String... extra) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("task", name);
        labels.put("table", rule.tableName());
        labels.put("destination", destinationName(rule.destination()));
        for (int i = 0; i + 1 < extra.length; i += 2) {
            labels.put(extra[i], extra[i + 1]);
        }
        return labels;
    }

    private void publishFailed(Exception e, long[] progress) {
        List<String> extra = new ArrayList<>(List.of("rows", Long.toString(progress[0]), "reason", reason(e)));
        if (progress[1] != Long.MIN_VALUE) {
            extra.addAll(List.of("last_key", Long.toString(progress[1])));
        }
        if (e instanceof SQLException sql && sql.getSQLState() != null) {
            extra.addAll(List.of("sql_state", sql.getSQLState()));
        }
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
        events.publish(source(), FAILED, Severity.WARNING, "retention " + name + " of " + rule.tableName() + " failed after "
                + progress[0] + " rows (the rows moved stay moved, the batch in progress was rolled back): " + why,
                labels(extra.toArray(String[]::new)));
    }

    /** A short machine-readable reason for a failed run. */
    private static String reason(Exception e) {
        if (e instanceof OpsDbException o) {
            return o.code().wireName();
        }
        if (e instanceof TaskCancelledException) {
            return "cancelled";
        }
        if (e instanceof SQLException) {
            return "sql";
        }
        if (e instanceof IOException) {
            return "archive_io";
        }
        return "error";
    }

    private String verb() {
        RetentionRule.Destination d = rule.destination();
        if (d instanceof RetentionRule.Destination.Table t) {
            return "archive to " + t.name();
        }
        if (d instanceof RetentionRule.Destination.File) {
            return "archive to files";
        }
        return "delete";
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /**
     * What one batch did: rows moved, the key the next batch starts after, and whether no row
     * matched after the previous key (then nothing was moved and the run is complete).
     */
    private record BatchResult(long rows, long lastKey, boolean exhausted) {
    }

    /** One run's batch statements on one connection. */
    private final class Batcher {
        private final Connection c;
        private final DbSystem system;
        private final Instant cutoff;
        private final String table = rule.tableName();
        private final String key = rule.keyColumn();
        private final int timeoutSeconds = SessionLimits.querySeconds(statementTimeout);

        Batcher(Connection c, DbSystem system, Instant cutoff) {
            this.c = c;
            this.system = system;
            this.cutoff = cutoff;
        }

        void ensureStateTable() throws SQLException {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + STATE_TABLE + " (rule_name VARCHAR(200) PRIMARY KEY,"
                        + " last_key BIGINT NOT NULL, updated_at VARCHAR(40) NOT NULL)");
            }
        }

        long checkpoint() throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("SELECT last_key FROM " + STATE_TABLE + " WHERE rule_name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : Long.MIN_VALUE;
                }
            }
        }

        void clearCheckpoint() throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + STATE_TABLE + " WHERE rule_name = ?")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
        }

        private void saveCheckpoint(long lastKey) throws SQLException {
            String sql = system.isMysqlFamily()
                    ? "INSERT INTO " + STATE_TABLE + " (rule_name, last_key, updated_at) VALUES (?, ?, ?)"
                      + " ON DUPLICATE KEY UPDATE last_key = VALUES(last_key), updated_at = VALUES(updated_at)"
                    : "INSERT INTO " + STATE_TABLE + " (rule_name, last_key, updated_at) VALUES (?, ?, ?)"
                      + " ON CONFLICT (rule_name) DO UPDATE SET last_key = excluded.last_key, updated_at = excluded.updated_at";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, name);
                ps.setLong(2, lastKey);
                ps.setString(3, clock.instant().toString());
                ps.executeUpdate();
            }
        }

        private void begin() throws SQLException {
            if (system == DbSystem.SQLITE) {
                try (Statement s = c.createStatement()) {
                    s.execute("BEGIN IMMEDIATE");
                }
            } else {
                c.setAutoCommit(false);
            }
        }

        private void commit() throws SQLException {
            if (system == DbSystem.SQLITE) {
                try (Statement s = c.createStatement()) {
                    s.execute("COMMIT");
                }
            } else {
                c.commit();
                c.setAutoCommit(true);
            }
        }

        private void rollback() {
            try {
                if (system == DbSystem.SQLITE) {
                    try (Statement s = c.createStatement()) {
                        s.execute("ROLLBACK");
                    }
                } else {
                    c.rollback();
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                log.debug("retention {}: rollback failed", name, e);
            }
        }

        /** Moves one batch of at most {@code size} rows after {@code lastKey}. */
        BatchResult batch(long lastKey, int size) throws SQLException, IOException {
            begin();
            try {
                BatchResult result;
                if (system == DbSystem.POSTGRESQL && !(rule.destination() instanceof RetentionRule.Destination.File)) {
                    result = postgresBatch(lastKey, size);
                } else {
                    result = genericBatch(lastKey, size);
                }
                if (!result.exhausted()) {
                    saveCheckpoint(result.lastKey());
                }
                commit();
                return result;
            } catch (SQLException | IOException | RuntimeException e) {
                rollback();
                throw e;
            }
        }

        /**
         * One statement: the batch's upper key is the {@code batchSize}-th matching key after
         * {@code lastKey}; the rows of that key range that match are deleted and, for an archive
         * table, inserted there from the DELETE's RETURNING (so the archive gets each row as it was
         * deleted, with any update committed meanwhile). A range scan of the key index, not one index
         * probe per listed key. The transaction does not wait for its WAL to reach disk
         * ({@code synchronous_commit = off} for it alone): a batch lost in a crash is lost whole,
         * copy, delete and checkpoint together, and the next run moves those rows again.
         */
        private BatchResult postgresBatch(long lastKey, int batchSize) throws SQLException {
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL synchronous_commit = off");
            }
            boolean archive = rule.destination() instanceof RetentionRule.Destination.Table;
            String sql = "WITH bound AS (SELECT max(" + key + ") AS hi FROM (SELECT " + key + " FROM " + table
                    + " WHERE " + key + " > ? AND " + condition() + " ORDER BY " + key + " LIMIT ?) b),"
                    + " moved AS (DELETE FROM " + table + " WHERE " + key + " > ? AND " + key
                    + " <= (SELECT hi FROM bound) AND " + condition() + " RETURNING *)"
                    + (archive ? ", ins AS (INSERT INTO " + ((RetentionRule.Destination.Table) rule.destination()).name()
                    + " SELECT * FROM moved RETURNING 1)" : "")
                    + " SELECT (SELECT hi FROM bound), (SELECT count(*) FROM moved)"
                    + (archive ? ", (SELECT count(*) FROM ins)" : ", 0");
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setQueryTimeout(timeoutSeconds);
                ps.setLong(1, lastKey);
                bindCutoff(ps, 2, system, cutoff);
                ps.setInt(3, batchSize);
                ps.setLong(4, lastKey);
                bindCutoff(ps, 5, system, cutoff);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long hi = rs.getLong(1);
                    if (rs.wasNull()) {
                        return new BatchResult(0, lastKey, true);
                    }
                    long deleted = rs.getLong(2);
                    long inserted = rs.getLong(3);
                    if (archive && inserted != deleted) {
                        throw inconsistent(deleted, inserted);
                    }
                    return new BatchResult(deleted, hi, false);
                }
            }
        }

        private BatchResult genericBatch(long lastKey, int batchSize) throws SQLException, IOException {
            String lock = system == DbSystem.SQLITE ? "" : " FOR UPDATE";
            boolean file = rule.destination() instanceof RetentionRule.Destination.File;
            long n = 0;
            long first = 0;
            long max = 0;
            byte[] lines = null;
            String select = "SELECT " + (file ? "*" : key) + " FROM " + table + " WHERE " + key + " > ? AND "
                    + condition() + " ORDER BY " + key + " LIMIT ?" + lock;
            try (PreparedStatement ps = c.prepareStatement(select)) {
                ps.setQueryTimeout(timeoutSeconds);
                ps.setLong(1, lastKey);
                bindCutoff(ps, 2, system, cutoff);
                ps.setInt(3, batchSize);
                try (ResultSet rs = ps.executeQuery()) {
                    if (file) {
                        long[] count = new long[1];
                        lines = ArchiveFiles.jsonLines(rs, count);
                        n = count[0];
                    } else {
                        while (rs.next()) {
                            long k = rs.getLong(1);
                            if (n == 0) {
                                first = k;
                            }
                            max = k;
                            n++;
                        }
                    }
                }
            }
            if (file && n > 0) {
                long[] range = keyRange(lastKey, batchSize);
                first = range[0];
                max = range[1];
            }
            if (n == 0) {
                return new BatchResult(0, lastKey, true);
            }
            String range = " WHERE " + key + " > ? AND " + key + " <= ? AND " + condition();
            long inserted = -1;
            if (rule.destination() instanceof RetentionRule.Destination.Table t) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t.name() + " SELECT * FROM " + table + range)) {
                    ps.setQueryTimeout(timeoutSeconds);
                    ps.setLong(1, lastKey);
                    ps.setLong(2, max);
                    bindCutoff(ps, 3, system, cutoff);
                    inserted = ps.executeUpdate();
                }
            } else if (rule.destination() instanceof RetentionRule.Destination.File f) {
                writeFile(f, first, max, java.util.Objects.requireNonNull(lines, "lines are read for a file destination"));
            }
            long deleted;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + range)) {
                ps.setQueryTimeout(timeoutSeconds);
                ps.setLong(1, lastKey);
                ps.setLong(2, max);
                bindCutoff(ps, 3, system, cutoff);
                deleted = ps.executeUpdate();
            }
            if (deleted != n || inserted >= 0 && inserted != deleted) {
                throw inconsistent(deleted, inserted >= 0 ? inserted : n);
            }
            return new BatchResult(deleted, max, false);
        }

        /** The first and last key of the batch after {@code lastKey} (rows are locked by the select). */
        private long[] keyRange(long lastKey, int batchSize) throws SQLException {
            String sql = "SELECT min(" + key + "), max(" + key + ") FROM (SELECT " + key + " FROM " + table + " WHERE "
                    + key + " > ? AND " + condition() + " ORDER BY " + key + " LIMIT ?) b";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, lastKey);
                bindCutoff(ps, 2, system, cutoff);
                ps.setInt(3, batchSize);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new long[] {rs.getLong(1), rs.getLong(2)};
                }
            }
        }

        private void writeFile(RetentionRule.Destination.File f, long first, long last, byte[] lines) throws IOException {
            String dir = f.prefix() + "/" + table + "/";
            String firstText = String.format(Locale.ROOT, "%019d", first);
            // A crash after the file was committed but before the delete committed leaves a file
            // for rows still in the table: replace it, so the archive never holds a row twice.
            for (String stale : f.store().list(dir + firstText + "-")) {
                f.store().delete(stale);
            }
            ArchiveFiles.write(f.store(), dir + firstText + "-" + String.format(Locale.ROOT, "%019d", last)
                    + ".jsonl.gz.enc", f.keys(), lines);
        }

        private OpsDbException inconsistent(long deleted, long copied) {
            return new OpsDbException(OpsDbError.RETENTION_INCONSISTENT, name,
                    "retention batch of " + table + " deleted " + deleted + " rows but copied " + copied
                            + "; the batch was rolled back",
                    "check that the archive table has the same columns in the same order and that no other job moves these rows",
                    null);
        }
    }

    /** Configures a {@link RetentionTask}. Not thread-safe; single-valued properties may be set once. */
    public static final class Builder {
        private final DataSource dataSource;
        private final RetentionRule rule;
        private @Nullable String name;
        private int batchSize;
        private @Nullable Duration batchTime;
        private @Nullable Duration pause;
        private @Nullable Duration lockTimeout;
        private @Nullable Duration statementTimeout;
        private @Nullable Duration deadline;
        private double maxFraction = Double.NaN;
        private boolean force;
        private boolean dryRun;
        private @Nullable Clock clock;
        private @Nullable Ticker ticker;
        private @Nullable Object registry;
        private final List<Notifier> notifiers = new ArrayList<>();

        private Builder(DataSource dataSource, RetentionRule rule) {
            this.dataSource = dataSource;
            this.rule = rule;
        }

        /** The task's name (and checkpoint key); default {@code retention:TABLE}. */
        public Builder name(String value) {
            Checks.requireUnset(name, "name");
            this.name = Checks.requireNonBlank(value, "name");
            return this;
        }

        /**
         * Rows per batch transaction, fixed (unless {@link #batchTime(Duration)} is also set, then
         * the first batch's size); default: 1,000 to start, then sized to the batch time.
         */
        public Builder batchSize(int value) {
            if (batchSize != 0) {
                throw new IllegalStateException("batchSize was already set");
            }
            if (value < 1 || value > 100_000) {
                throw new IllegalArgumentException("batchSize must be between 1 and 100000: " + value);
            }
            this.batchSize = value;
            return this;
        }

        /**
         * What each batch should take: the next batch's size is what the last one's rate moves in
         * this time, at most twice the last size, between 100 and 100,000 rows; default 100 ms
         * (for archive files only when set).
         */
        public Builder batchTime(Duration value) {
            Checks.requireUnset(batchTime, "batchTime");
            this.batchTime = Checks.requirePositive(value, "batchTime", Duration.ofMinutes(10));
            return this;
        }

        /** The pause between batches; default 10 ms; zero for none. */
        public Builder pause(Duration value) {
            Checks.requireUnset(pause, "pause");
            this.pause = Checks.requireNonNegative(value, "pause");
            return this;
        }

        /** How long a statement waits for a lock; default 2 s. */
        public Builder lockTimeout(Duration value) {
            Checks.requireUnset(lockTimeout, "lockTimeout");
            this.lockTimeout = Checks.requirePositive(value, "lockTimeout");
            return this;
        }

        /** How long one statement may run; default 30 s. */
        public Builder statementTimeout(Duration value) {
            Checks.requireUnset(statementTimeout, "statementTimeout");
            this.statementTimeout = Checks.requirePositive(value, "statementTimeout");
            return this;
        }

        /** The most a run may take (the task context's deadline also applies); default none. */
        public Builder deadline(Duration value) {
            Checks.requireUnset(deadline, "deadline");
            this.deadline = Checks.requirePositive(value, "deadline");
            return this;
        }

        /** The largest fraction of the table a run may remove without {@link #force()}; default 0.5. */
        public Builder maxFraction(double value) {
            if (!Double.isNaN(maxFraction)) {
                throw new IllegalStateException("maxFraction was already set");
            }
            this.maxFraction = Checks.requireInRange(value, 0, 1, "maxFraction");
            return this;
        }

        /** Runs even above the allowed fraction. */
        public Builder force() {
            this.force = true;
            return this;
        }

        /** Only counts what a run would remove. */
        public Builder dryRun() {
            this.dryRun = true;
            return this;
        }

        /** The wall clock for the cutoff and checkpoints; default UTC system clock. */
        public Builder clock(Clock value) {
            Checks.requireUnset(clock, "clock");
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** The monotonic clock for batch durations; default {@link Ticker#system()}. */
        public Builder ticker(Ticker value) {
            Checks.requireUnset(ticker, "ticker");
            this.ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        /** Records {@code db.retention.rows} and {@code db.retention.batch.duration}; without one nothing is recorded. */
        public Builder meterRegistry(MeterRegistry value) {
            Checks.requireUnset(registry, "meterRegistry");
            this.registry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /**
         * Adds a notifier that hears {@value RetentionTask#COMPLETED}, {@value RetentionTask#FAILED} and
         * {@value RetentionTask#REFUSED}; repeatable, every notifier hears every event.
         */
        public Builder notifier(Notifier value) {
            notifiers.add(Objects.requireNonNull(value, "notifier"));
            return this;
        }

        /** Builds the task. */
        public RetentionTask build() {
            return new RetentionTask(this);
        }
    }
}
