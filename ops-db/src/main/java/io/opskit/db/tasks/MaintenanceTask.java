package io.opskit.db.tasks;

import io.micrometer.core.instrument.MeterRegistry;
import io.opskit.api.Ticker;
import io.opskit.api.internal.ByteSize;
import io.opskit.api.internal.Checks;
import io.opskit.api.internal.DurationText;
import io.opskit.api.task.OpsTask;
import io.opskit.api.task.TaskContext;
import io.opskit.api.task.TaskOutcome;
import io.opskit.db.DbSystem;
import io.opskit.db.OpsDbError;
import io.opskit.db.OpsDbException;
import io.opskit.db.internal.PgQueries;
import io.opskit.db.internal.Rows;
import io.opskit.db.internal.SessionLimits;
import io.opskit.db.internal.TaskMeters;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One kind of database maintenance as an {@link OpsTask} (name {@code maintenance:KIND}). It plans
 * its steps (one statement per table or index, or one for the database), then runs them one by one
 * under a statement timeout (default 1 h) and lock timeout (default 5 s), stopping before the next
 * step once its deadline (default 1 h, and the task context's) has passed. It reports progress per
 * step and a summary with each step's target, size before and after, and duration; a
 * {@link Builder#dryRun()} lists the planned statements and runs none. With a registry each step's
 * duration goes to {@code db.maintenance.duration}. Thread-safe: each run uses its own connection.
 */
public final class MaintenanceTask implements OpsTask {

    private static final Logger log = LoggerFactory.getLogger(MaintenanceTask.class);

    private final DataSource dataSource;
    private final MaintenanceKind kind;
    private final Duration statementTimeout;
    private final Duration lockTimeout;
    private final Duration deadline;
    private final boolean dryRun;
    private final double reindexBloatRatio;
    private final long reindexMinBytes;
    private final long vacuumMinDeadTuples;
    private final Clock clock;
    private final Ticker ticker;
    private final TaskMeters meters;

    private MaintenanceTask(Builder b) {
        this.dataSource = b.dataSource;
        this.kind = b.kind;
        this.statementTimeout = b.statementTimeout == null ? Duration.ofHours(1) : b.statementTimeout;
        this.lockTimeout = b.lockTimeout == null ? Duration.ofSeconds(5) : b.lockTimeout;
        this.deadline = b.deadline == null ? Duration.ofHours(1) : b.deadline;
        this.dryRun = b.dryRun;
        this.reindexBloatRatio = Double.isNaN(b.reindexBloatRatio) ? 0.3 : b.reindexBloatRatio;
        this.reindexMinBytes = b.reindexMinBytes < 0 ? 10L * 1024 * 1024 : b.reindexMinBytes;
        this.vacuumMinDeadTuples = b.vacuumMinDeadTuples < 0 ? 0 : b.vacuumMinDeadTuples;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.ticker = b.ticker == null ? Ticker.system() : b.ticker;
        this.meters = TaskMeters.maintenance(b.registry, name());
    }

    /** Starts a builder for {@code kind} on the database behind {@code dataSource}. */
    public static Builder builder(DataSource dataSource, MaintenanceKind kind) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"), Objects.requireNonNull(kind, "kind"));
    }

    @Override
    public String name() {
        return "maintenance:" + kind.wireName();
    }

    /** The maintenance this task runs. */
    public MaintenanceKind kind() {
        return kind;
    }

    /** One planned statement. */
    private record Step(String target, String sql, @Nullable String sizeSql) {
    }

    @Override
    public TaskOutcome run(TaskContext context) throws Exception {
        Objects.requireNonNull(context, "context");
        Instant started = clock.instant();
        Instant stopAt = context.deadline().isBefore(started.plus(deadline)) ? context.deadline() : started.plus(deadline);
        try (SessionLimits.Session session = SessionLimits.open(dataSource, statementTimeout, lockTimeout)) {
            Connection c = session.connection();
            DbSystem system = session.system();
            boolean matches = system == kind.system() || kind.system() == DbSystem.MARIADB && system.isMysqlFamily();
            if (!matches) {
                throw new OpsDbException(OpsDbError.UNSUPPORTED_DATABASE, name(),
                        kind.wireName() + " does not run on " + system.wireName(), "pick a task for " + system.wireName(), null);
            }
            c.setAutoCommit(true);
            List<Step> steps = plan(c);
            Map<String, String> details = new LinkedHashMap<>();
            details.put("task", kind.wireName());
            details.put("steps", Integer.toString(steps.size()));
            if (dryRun) {
                details.put("dry_run", "true");
                for (int i = 0; i < steps.size(); i++) {
                    details.put("step_" + (i + 1), steps.get(i).sql());
                }
                return new TaskOutcome.Done("dry run: " + kind.wireName() + " would run " + steps.size() + " statement(s)"
                        + (steps.isEmpty() ? "" : ": " + String.join("; ", steps.stream().map(Step::sql).toList())), details);
            }
            List<String> done = new ArrayList<>();
            int ran = 0;
            for (Step step : steps) {
                if (context.isCancelled() || !clock.instant().isBefore(stopAt)) {
                    break;
                }
                long before = size(c, step);
                long begin = ticker.read();
                List<String> problems = execute(c, step);
                long nanos = ticker.read() - begin;
                meters.time(nanos);
                long after = size(c, step);
                ran++;
                String line = step.target() + ": " + (before >= 0 ? ByteSize.format(before) + " -> " + ByteSize.format(after) + ", " : "")
                        + DurationText.format(Duration.ofMillis(nanos / 1_000_000));
                done.add(line);
                details.put("step_" + ran, line);
                context.progress((double) ran / steps.size(), line);
                if (!problems.isEmpty()) {
                    details.put("problems", String.join("; ", problems));
                    return new TaskOutcome.Failed(kind.wireName() + " found " + problems.size() + " problem(s): "
                            + problems.get(0), details);
                }
            }
            boolean complete = ran == steps.size();
            details.put("complete", Boolean.toString(complete));
            details.put("duration", DurationText.format(Duration.between(started, clock.instant())));
            String summary = kind.wireName() + ": " + ran + " of " + steps.size() + " statement(s)"
                    + (done.isEmpty() ? "" : " (" + String.join("; ", done) + ")")
                    + (complete ? "" : "; stopped at the deadline");
            log.info("{}", summary);
            return new TaskOutcome.Done(summary, details);
        }
    }

    private int seconds() {
        return SessionLimits.querySeconds(statementTimeout);
    }

    private List<Step> plan(Connection c) throws SQLException {
        String sqliteSize = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()";
        List<Step> steps = new ArrayList<>();
        switch (kind) {
            case SQLITE_OPTIMIZE -> steps.add(new Step("main", "PRAGMA optimize", null));
            case SQLITE_ANALYZE -> steps.add(new Step("main", "ANALYZE", null));
            case SQLITE_REINDEX -> steps.add(new Step("main", "REINDEX", sqliteSize));
            case SQLITE_QUICK_CHECK -> steps.add(new Step("main", "PRAGMA quick_check", null));
            case SQLITE_INTEGRITY_CHECK -> steps.add(new Step("main", "PRAGMA integrity_check", null));
            case SQLITE_VACUUM -> {
                boolean incremental = Rows.single(c, seconds(), "PRAGMA auto_vacuum", 0) == 2;
                steps.add(new Step("main", incremental ? "PRAGMA incremental_vacuum" : "VACUUM", sqliteSize));
            }
            case POSTGRES_VACUUM_ANALYZE -> {
                for (Map<String, Object> t : Rows.query(c, seconds(), "SELECT schemaname, relname, n_dead_tup"
                        + " FROM pg_stat_user_tables WHERE n_dead_tup >= ? ORDER BY n_dead_tup DESC, relname", vacuumMinDeadTuples)) {
                    String table = quote(t.get("schemaname")) + "." + quote(t.get("relname"));
                    steps.add(new Step(table, "VACUUM (ANALYZE) " + table, "SELECT pg_total_relation_size('" + table.replace("'", "''") + "')"));
                }
            }
            case POSTGRES_ANALYZE -> {
                for (Map<String, Object> t : Rows.query(c, seconds(), "SELECT schemaname, relname FROM pg_stat_user_tables"
                        + " ORDER BY n_mod_since_analyze DESC, relname")) {
                    String table = quote(t.get("schemaname")) + "." + quote(t.get("relname"));
                    steps.add(new Step(table, "ANALYZE " + table, null));
                }
            }
            case POSTGRES_REINDEX -> {
                for (Map<String, Object> i : Rows.query(c, seconds(), PgQueries.INDEX_BLOAT, 1000)) {
                    if (Rows.number(i, "bloat_ratio") >= reindexBloatRatio && Rows.number(i, "index_bytes") >= reindexMinBytes) {
                        String index = quote(i.get("schema")) + "." + quote(i.get("index_name"));
                        steps.add(new Step(index, "REINDEX INDEX CONCURRENTLY " + index,
                                "SELECT pg_relation_size('" + index.replace("'", "''") + "')"));
                    }
                }
            }
            case MARIADB_ANALYZE, MARIADB_OPTIMIZE -> {
                for (Map<String, Object> t : Rows.query(c, seconds(), "SELECT table_name FROM information_schema.tables"
                        + " WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY data_free DESC, table_name")) {
                    String table = "`" + String.valueOf(t.get("table_name")).replace("`", "``") + "`";
                    steps.add(new Step(table, (kind == MaintenanceKind.MARIADB_ANALYZE ? "ANALYZE TABLE " : "OPTIMIZE TABLE ") + table,
                            "SELECT data_length + index_length + data_free FROM information_schema.tables"
                                    + " WHERE table_schema = DATABASE() AND table_name = '" + String.valueOf(t.get("table_name")).replace("'", "''") + "'"));
                }
            }
        }
        return steps;
    }

    private static String quote(@Nullable Object identifier) {
        return "\"" + String.valueOf(identifier).replace("\"", "\"\"") + "\"";
    }

    private long size(Connection c, Step step) {
        if (step.sizeSql() == null) {
            return -1;
        }
        try {
            return Rows.single(c, seconds(), step.sizeSql(), -1);
        } catch (SQLException e) {
            return -1;
        }
    }

    /** Runs a step; answers the problems an integrity check found (empty otherwise). */
    private List<String> execute(Connection c, Step step) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(seconds());
            if (step.sql().equals("PRAGMA incremental_vacuum")) {
                // The JDBC driver steps a statement once, and each step frees one page: repeat until none is left.
                long free = Rows.single(c, seconds(), "PRAGMA freelist_count", 0);
                while (free > 0) {
                    s.execute(step.sql());
                    long now = Rows.single(c, seconds(), "PRAGMA freelist_count", 0);
                    if (now >= free) {
                        break;
                    }
                    free = now;
                }
                return List.of();
            }
            boolean hasRows = s.execute(step.sql());
            List<String> problems = new ArrayList<>();
            if (hasRows && (kind == MaintenanceKind.SQLITE_QUICK_CHECK || kind == MaintenanceKind.SQLITE_INTEGRITY_CHECK)) {
                try (var rs = s.getResultSet()) {
                    while (rs.next()) {
                        String line = rs.getString(1);
                        if (!"ok".equals(line)) {
                            problems.add(line);
                        }
                    }
                }
            } else if (hasRows && kind.system() == DbSystem.MARIADB) {
                try (var rs = s.getResultSet()) {
                    while (rs.next()) {
                        String type = rs.getString("Msg_type");
                        if ("error".equalsIgnoreCase(type)) {
                            problems.add(rs.getString("Msg_text"));
                        }
                    }
                }
            } else if (hasRows) {
                // PRAGMA incremental_vacuum frees pages only as its rows are stepped through
                try (var rs = s.getResultSet()) {
                    while (rs.next()) {
                        // drain
                    }
                }
            }
            return problems;
        }
    }

    /** Configures a {@link MaintenanceTask}. Not thread-safe; each property may be set once. */
    public static final class Builder {
        private final DataSource dataSource;
        private final MaintenanceKind kind;
        private @Nullable Duration statementTimeout;
        private @Nullable Duration lockTimeout;
        private @Nullable Duration deadline;
        private boolean dryRun;
        private double reindexBloatRatio = Double.NaN;
        private long reindexMinBytes = -1;
        private long vacuumMinDeadTuples = -1;
        private @Nullable Clock clock;
        private @Nullable Ticker ticker;
        private @Nullable Object registry;

        private Builder(DataSource dataSource, MaintenanceKind kind) {
            this.dataSource = dataSource;
            this.kind = kind;
        }

        /** The longest one statement may run; default 1 h. */
        public Builder statementTimeout(Duration value) {
            Checks.requireUnset(statementTimeout, "statementTimeout");
            this.statementTimeout = Checks.requirePositive(value, "statementTimeout");
            return this;
        }

        /** The longest a statement waits for a lock; default 5 s. */
        public Builder lockTimeout(Duration value) {
            Checks.requireUnset(lockTimeout, "lockTimeout");
            this.lockTimeout = Checks.requirePositive(value, "lockTimeout");
            return this;
        }

        /** No new step starts after this much time; default 1 h (the task context's deadline also applies). */
        public Builder deadline(Duration value) {
            Checks.requireUnset(deadline, "deadline");
            this.deadline = Checks.requirePositive(value, "deadline");
            return this;
        }

        /** Lists the planned statements without running them. */
        public Builder dryRun() {
            this.dryRun = true;
            return this;
        }

        /** {@code postgres.reindex}: the estimated bloat fraction that warrants a rebuild; default 0.3. */
        public Builder reindexBloatRatio(double value) {
            if (!Double.isNaN(reindexBloatRatio)) {
                throw new IllegalStateException("reindexBloatRatio was already set");
            }
            this.reindexBloatRatio = Checks.requireInRange(value, 0, 1, "reindexBloatRatio");
            return this;
        }

        /** {@code postgres.reindex}: indexes smaller than this are left alone; default 10 MiB. */
        public Builder reindexMinBytes(long value) {
            if (reindexMinBytes >= 0) {
                throw new IllegalStateException("reindexMinBytes was already set");
            }
            this.reindexMinBytes = Checks.requireNonNegative(value, "reindexMinBytes");
            return this;
        }

        /** {@code postgres.vacuum_analyze}: tables with fewer dead tuples are skipped; default 0 (every table). */
        public Builder vacuumMinDeadTuples(long value) {
            if (vacuumMinDeadTuples >= 0) {
                throw new IllegalStateException("vacuumMinDeadTuples was already set");
            }
            this.vacuumMinDeadTuples = Checks.requireNonNegative(value, "vacuumMinDeadTuples");
            return this;
        }

        /** The wall clock for the deadline; default UTC system clock. */
        public Builder clock(Clock value) {
            Checks.requireUnset(clock, "clock");
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** The monotonic clock for step durations; default {@link Ticker#system()}. */
        public Builder ticker(Ticker value) {
            Checks.requireUnset(ticker, "ticker");
            this.ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        /** Records {@code db.maintenance.duration}; without one nothing is recorded. */
        public Builder meterRegistry(MeterRegistry value) {
            Checks.requireUnset(registry, "meterRegistry");
            this.registry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /** Builds the task. */
        public MaintenanceTask build() {
            return new MaintenanceTask(this);
        }
    }
}
