package io.opskit.db.diagnostics;

import io.opskit.api.Ticker;
import io.opskit.api.internal.ByteSize;
import io.opskit.api.internal.Checks;
import io.opskit.api.internal.DurationText;
import io.opskit.db.DbSystem;
import io.opskit.db.OpsDbError;
import io.opskit.db.OpsDbException;
import io.opskit.db.internal.PgQueries;
import io.opskit.db.internal.Rows;
import io.opskit.db.internal.SessionLimits;
import io.opskit.db.internal.SqlFingerprint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Diagnoses a database: sizes, slow statements, bloat, unused indexes, connections, long-running
 * and idle-in-transaction sessions, replication, integrity, depending on the kind.
 *
 * <p>PostgreSQL: largest tables and indexes; top statements from {@code pg_stat_statements} by total
 * and by mean time (the column names of the server's version: {@code total_exec_time} from 13,
 * {@code total_time} before; a note when the extension is missing or not preloaded); dead tuples
 * and estimated bloat per table and per B-tree index (methods named in the sections); unused
 * indexes with the age of their statistics, listed only when older than
 * {@link Builder#unusedIndexMinAge(Duration)} (default 7 days); connections by state against
 * {@code max_connections}; long-running (default over 30 s) and idle-in-transaction sessions;
 * standby lag. SQLite: size and freelist ratio, per-table sizes from {@code dbstat} when compiled
 * in, WAL size, {@code quick_check}. MariaDB/MySQL: table sizes and fragmentation, connections,
 * processlist.
 *
 * <p>Every query runs under the statement timeout (default 5 s); a section that fails or times out
 * says so and the others still run. Statement texts appear only as fingerprints. An index seen for
 * the first time after this object's first run counts as fresh from that moment, so keep one
 * instance to watch a database over time. Thread-safe.
 */
public final class Diagnostics {

    private final DataSource dataSource;
    private final Duration statementTimeout;
    private final Duration unusedIndexMinAge;
    private final Duration longRunning;
    private final int limit;
    private final Clock clock;
    private final Ticker ticker;
    private final Map<Long, Instant> indexFirstSeen = new ConcurrentHashMap<>();
    private volatile boolean watching;

    private Diagnostics(Builder b) {
        this.dataSource = b.dataSource;
        this.statementTimeout = b.statementTimeout == null ? Duration.ofSeconds(5) : b.statementTimeout;
        this.unusedIndexMinAge = b.unusedIndexMinAge == null ? Duration.ofDays(7) : b.unusedIndexMinAge;
        this.longRunning = b.longRunning == null ? Duration.ofSeconds(30) : b.longRunning;
        this.limit = b.limit == 0 ? 10 : b.limit;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.ticker = b.ticker == null ? Ticker.system() : b.ticker;
    }

    /** Starts a builder over {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /**
     * Runs every section of the database's kind.
     *
     * @throws SQLException   when no connection can be had
     * @throws OpsDbException with {@link OpsDbError#UNSUPPORTED_DATABASE} for another kind
     */
    public DiagnosticsReport run() throws SQLException {
        Instant at = clock.instant();
        try (SessionLimits.Session session = SessionLimits.open(dataSource, statementTimeout, statementTimeout)) {
            Connection c = session.connection();
            DbSystem system = session.system();
            String version = c.getMetaData().getDatabaseProductVersion();
            List<Section> sections = switch (system) {
                case POSTGRESQL -> postgres(c);
                case SQLITE -> sqlite(c);
                case MARIADB, MYSQL -> mysql(c);
                case OTHER -> throw new OpsDbException(OpsDbError.UNSUPPORTED_DATABASE, system.wireName(),
                        "diagnostics support SQLite, PostgreSQL and MariaDB/MySQL only", "run it against one of those", null);
            };
            watching = true;
            return new DiagnosticsReport(system.wireName(), version, at, sections);
        }
    }

    @FunctionalInterface
    private interface Body {
        void fill(List<Map<String, Object>> rows, List<String> notes) throws Exception;
    }

    /** A body that reports "unavailable" by throwing this. */
    private static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String why) {
            super(why);
        }
    }

    private Section section(Connection c, String id, String title, String method, Body body) {
        Instant at = clock.instant();
        long start = ticker.read();
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Section.Status status = Section.Status.OK;
        try {
            body.fill(rows, notes);
        } catch (Unavailable u) {
            status = Section.Status.UNAVAILABLE;
            notes.add(u.getMessage());
        } catch (Exception e) {
            status = Section.Status.FAILED;
            rows.clear();
            notes.add("failed: " + e.getClass().getSimpleName()
                    + (e instanceof SQLException s && s.getSQLState() != null ? " (SQL state " + s.getSQLState() + ")" : "")
                    + ": " + oneLine(e.getMessage()));
            rollbackQuietly(c);
        }
        return new Section(id, title, method, at, Duration.ofNanos(ticker.read() - start), status, rows, notes);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException ignored) {
            // the section already failed
        }
    }

    private static String oneLine(@Nullable String message) {
        if (message == null) {
            return "";
        }
        String line = message.lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    private int timeout() {
        return SessionLimits.querySeconds(statementTimeout);
    }

    // ---------------------------------------------------------------- PostgreSQL

    private List<Section> postgres(Connection c) {
        List<Section> out = new ArrayList<>();
        out.add(section(c, "database_size", "Database size", "pg_database_size(current_database())", (rows, notes) ->
                rows.addAll(Rows.query(c, timeout(), "SELECT current_database() AS database,"
                        + " pg_database_size(current_database()) AS bytes, current_setting('server_version_num')::int AS version_num"))));
        out.add(section(c, "largest_tables", "Largest tables", "pg_total_relation_size per table (table, TOAST and indexes)",
                (rows, notes) -> rows.addAll(Rows.query(c, timeout(), PgQueries.LARGEST_TABLES, limit))));
        out.add(section(c, "largest_indexes", "Largest indexes", "pg_relation_size per index",
                (rows, notes) -> rows.addAll(Rows.query(c, timeout(), PgQueries.LARGEST_INDEXES, limit))));
        out.add(topStatements(c, "total"));
        out.add(topStatements(c, "mean"));
        out.add(section(c, "table_bloat", "Dead tuples and table bloat", PgQueries.TABLE_BLOAT_METHOD,
                (rows, notes) -> rows.addAll(Rows.query(c, timeout(), PgQueries.TABLE_BLOAT, limit))));
        out.add(section(c, "index_bloat", "Index bloat", PgQueries.INDEX_BLOAT_METHOD,
                (rows, notes) -> rows.addAll(Rows.query(c, timeout(), PgQueries.INDEX_BLOAT, limit))));
        out.add(unusedIndexes(c));
        out.add(section(c, "connections", "Connections by state", "pg_stat_activity (client backends) against max_connections",
                (rows, notes) -> {
                    long max = Rows.single(c, timeout(), "SELECT current_setting('max_connections')::int", 0);
                    long reserved = Rows.single(c, timeout(), "SELECT current_setting('superuser_reserved_connections')::int", 0);
                    long total = 0;
                    for (Map<String, Object> row : Rows.query(c, timeout(), PgQueries.CONNECTIONS)) {
                        rows.add(row);
                        total += (long) Rows.number(row, "connections");
                    }
                    notes.add(String.format(Locale.ROOT, "%d of max_connections %d in use (%.0f %%), %d reserved for superusers",
                            total, max, max == 0 ? 0.0 : 100.0 * total / max, reserved));
                }));
        out.add(section(c, "long_running", "Long-running statements",
                "pg_stat_activity, active for more than " + DurationText.format(longRunning), (rows, notes) -> {
                    for (Map<String, Object> row : Rows.query(c, timeout(), PgQueries.LONG_RUNNING,
                            (double) longRunning.toMillis() / 1000, limit)) {
                        fingerprintQuery(row);
                        rows.add(row);
                    }
                }));
        out.add(section(c, "idle_in_transaction", "Idle in transaction",
                "pg_stat_activity, idle in a transaction for more than " + DurationText.format(longRunning), (rows, notes) ->
                        rows.addAll(Rows.query(c, timeout(), PgQueries.IDLE_IN_TRANSACTION,
                                (double) longRunning.toMillis() / 1000, limit))));
        out.add(section(c, "replication", "Replication", "pg_stat_replication on a primary; replay delay on a standby",
                (rows, notes) -> {
                    if (Rows.single(c, timeout(), "SELECT CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END", 0) == 1) {
                        rows.addAll(Rows.query(c, timeout(), "SELECT 'standby' AS role,"
                                + " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS replay_delay_seconds"));
                    } else {
                        rows.addAll(Rows.query(c, timeout(), PgQueries.REPLICATION));
                        if (rows.isEmpty()) {
                            notes.add("primary without standbys");
                        }
                    }
                }));
        return out;
    }

    private static void fingerprintQuery(Map<String, Object> row) {
        Object q = row.remove("query");
        row.put("statement", q == null ? "" : SqlFingerprint.of(q.toString()));
    }

    private Section topStatements(Connection c, String by) {
        String id = "top_statements_by_" + by;
        String title = "Top statements by " + by + " time";
        return section(c, id, title, "pg_stat_statements, ordered by " + by + " execution time", (rows, notes) -> {
            if (Rows.query(c, timeout(), "SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'").isEmpty()) {
                throw new Unavailable("pg_stat_statements is not installed in this database: add it to"
                        + " shared_preload_libraries, restart, then CREATE EXTENSION pg_stat_statements");
            }
            long version = Rows.single(c, timeout(), "SELECT current_setting('server_version_num')::int", 0);
            String total = version >= 130000 ? "total_exec_time" : "total_time";
            String mean = version >= 130000 ? "mean_exec_time" : "mean_time";
            String order = by.equals("total") ? total : mean;
            String sql = "SELECT queryid, calls, round(" + total + "::numeric, 3) AS total_ms, round(" + mean
                    + "::numeric, 3) AS mean_ms, rows, query FROM pg_stat_statements"
                    + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    + " ORDER BY " + order + " DESC LIMIT ?";
            List<Map<String, Object>> found;
            try {
                found = Rows.query(c, timeout(), sql, limit);
            } catch (SQLException e) {
                if ("55000".equals(e.getSQLState())) {
                    throw new Unavailable("pg_stat_statements is installed but not loaded: add it to"
                            + " shared_preload_libraries and restart the server");
                }
                throw e;
            }
            for (Map<String, Object> row : found) {
                fingerprintQuery(row);
                rows.add(row);
            }
            notes.add("columns " + total + "/" + mean + " (server_version_num " + version + ")");
        });
    }

    private Section unusedIndexes(Connection c) {
        boolean firstRun = !watching;
        return section(c, "unused_indexes", "Unused indexes",
                "pg_stat_user_indexes idx_scan = 0 (non-unique); statistics age = time since the statistics began"
                        + " (pg_stat_database.stats_reset or server start), since the index file last changed, and since"
                        + " this report first saw the index, whichever is shortest; only indexes whose statistics are older than "
                        + DurationText.format(unusedIndexMinAge) + " are listed", (rows, notes) -> {
                    Instant now = clock.instant();
                    Instant since = null;
                    for (Map<String, Object> r : Rows.query(c, timeout(), PgQueries.STATS_SINCE)) {
                        if (r.values().iterator().next() instanceof Number n) {
                            since = Instant.ofEpochMilli((long) (n.doubleValue() * 1000));
                        }
                    }
                    int tooYoung = 0;
                    for (Map<String, Object> row : Rows.query(c, timeout(), PgQueries.UNUSED_INDEXES, limit * 5)) {
                        long oid = (long) Rows.number(row, "index_oid");
                        Instant firstSeen = indexFirstSeen.computeIfAbsent(oid, k -> firstRun ? Instant.MIN : now);
                        Instant basis = since == null ? Instant.MIN : statsInstant(c, row, since);
                        if (firstSeen.isAfter(basis)) {
                            basis = firstSeen;
                        }
                        Duration age = basis == Instant.MIN ? Duration.ofDays(36500) : Duration.between(basis, now);
                        if (age.compareTo(unusedIndexMinAge) < 0) {
                            tooYoung++;
                            continue;
                        }
                        row.remove("index_oid");
                        row.put("statistics_age", DurationText.format(age.withNanos(0)));
                        row.put("index_size", ByteSize.format((long) Rows.number(row, "index_bytes")));
                        if (rows.size() < limit) {
                            rows.add(row);
                        }
                    }
                    if (tooYoung > 0) {
                        notes.add(tooYoung + " never-scanned index(es) have statistics younger than "
                                + DurationText.format(unusedIndexMinAge) + ": no verdict yet");
                    }
                });
    }

    /** The later of the statistics start and the index file's last change (when the server lets us read it). */
    private Instant statsInstant(Connection c, Map<String, Object> row, Instant since) {
        Instant basis = since;
        try {
            List<Map<String, Object>> mod = Rows.query(c, timeout(),
                    "SELECT EXTRACT(EPOCH FROM (pg_stat_file(pg_relation_filepath(?::oid::regclass))).modification)::float8 AS m",
                    (long) Rows.number(row, "index_oid"));
            if (!mod.isEmpty() && mod.get(0).get("m") instanceof Number n) {
                Instant changed = Instant.ofEpochMilli((long) (n.doubleValue() * 1000));
                if (changed.isAfter(basis)) {
                    basis = changed;
                }
            }
        } catch (SQLException e) {
            rollbackQuietly(c);
        }
        return basis;
    }

    // ---------------------------------------------------------------- SQLite

    private List<Section> sqlite(Connection c) {
        List<Section> out = new ArrayList<>();
        out.add(section(c, "database_size", "Database size and free pages",
                "PRAGMA page_count, freelist_count, page_size; freelist ratio = freelist_count / page_count", (rows, notes) -> {
                    long pages = Rows.single(c, timeout(), "PRAGMA page_count", 0);
                    long free = Rows.single(c, timeout(), "PRAGMA freelist_count", 0);
                    long size = Rows.single(c, timeout(), "PRAGMA page_size", 4096);
                    long autoVacuum = Rows.single(c, timeout(), "PRAGMA auto_vacuum", 0);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("file_bytes", pages * size);
                    row.put("used_bytes", (pages - free) * size);
                    row.put("page_size", size);
                    row.put("page_count", pages);
                    row.put("freelist_count", free);
                    row.put("freelist_ratio", pages == 0 ? 0.0 : (double) free / pages);
                    row.put("auto_vacuum", autoVacuum == 0 ? "none" : autoVacuum == 1 ? "full" : "incremental");
                    rows.add(row);
                }));
        out.add(section(c, "largest_tables", "Largest tables and indexes", "dbstat virtual table (sum of pgsize per object)",
                (rows, notes) -> {
                    try {
                        rows.addAll(Rows.query(c, timeout(), "SELECT name, sum(pgsize) AS bytes, count(*) AS pages"
                                + " FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT ?", limit));
                    } catch (SQLException e) {
                        if (String.valueOf(e.getMessage()).contains("dbstat")) {
                            throw new Unavailable("this SQLite build has no dbstat table (SQLITE_ENABLE_DBSTAT_VTAB): per-table sizes unavailable");
                        }
                        throw e;
                    }
                }));
        out.add(section(c, "wal", "Write-ahead log", "PRAGMA journal_mode and the size of the -wal file", (rows, notes) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            String mode = String.valueOf(Rows.query(c, timeout(), "PRAGMA journal_mode").get(0).values().iterator().next());
            row.put("journal_mode", mode);
            String file = "";
            for (Map<String, Object> db : Rows.query(c, timeout(), "PRAGMA database_list")) {
                if ("main".equals(db.get("name"))) {
                    file = String.valueOf(db.get("file"));
                }
            }
            Path wal = file.isEmpty() ? null : Path.of(file + "-wal");
            row.put("wal_bytes", wal != null && Files.exists(wal) ? Files.size(wal) : 0L);
            rows.add(row);
        }));
        out.add(section(c, "integrity", "Integrity", "PRAGMA quick_check (use the integrity_check task for the full check)",
                (rows, notes) -> {
                    List<Map<String, Object>> result = Rows.query(c, timeout(), "PRAGMA quick_check(20)");
                    Map<String, Object> row = new LinkedHashMap<>();
                    List<String> problems = result.stream().map(r -> String.valueOf(r.values().iterator().next())).toList();
                    row.put("ok", problems.size() == 1 && problems.get(0).equals("ok"));
                    row.put("problems", problems.size() == 1 && problems.get(0).equals("ok") ? List.of() : problems);
                    rows.add(row);
                }));
        return out;
    }

    // ---------------------------------------------------------------- MariaDB / MySQL

    private List<Section> mysql(Connection c) {
        List<Section> out = new ArrayList<>();
        out.add(section(c, "largest_tables", "Largest tables and fragmentation",
                "information_schema.tables data_length, index_length, data_free; fragmentation = data_free / (data + index + free)",
                (rows, notes) -> rows.addAll(Rows.query(c, timeout(), "SELECT table_name, engine, table_rows AS estimated_rows,"
                        + " data_length AS data_bytes, index_length AS index_bytes, data_free AS free_bytes,"
                        + " CASE WHEN data_length + index_length + data_free > 0"
                        + " THEN data_free / (data_length + index_length + data_free) ELSE 0 END AS fragmentation"
                        + " FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'"
                        + " ORDER BY data_length + index_length DESC LIMIT ?", limit))));
        out.add(section(c, "connections", "Connections", "information_schema.processlist by command against max_connections",
                (rows, notes) -> {
                    long max = Rows.single(c, timeout(), "SELECT @@max_connections", 0);
                    long total = 0;
                    for (Map<String, Object> row : Rows.query(c, timeout(),
                            "SELECT command, count(*) AS connections FROM information_schema.processlist GROUP BY command ORDER BY 2 DESC")) {
                        rows.add(row);
                        total += (long) Rows.number(row, "connections");
                    }
                    notes.add(String.format(Locale.ROOT, "%d of max_connections %d in use (%.0f %%)", total, max,
                            max == 0 ? 0.0 : 100.0 * total / max));
                }));
        out.add(section(c, "long_running", "Long-running statements",
                "information_schema.processlist, running a statement for more than " + DurationText.format(longRunning),
                (rows, notes) -> {
                    for (Map<String, Object> row : Rows.query(c, timeout(), "SELECT id, user AS user_name, db AS database_name,"
                            + " command, time AS running_seconds, state, info AS query FROM information_schema.processlist"
                            + " WHERE command NOT IN ('Sleep', 'Daemon', 'Binlog Dump') AND id <> CONNECTION_ID() AND time > ?"
                            + " ORDER BY time DESC LIMIT ?", longRunning.toSeconds(), limit)) {
                        fingerprintQuery(row);
                        rows.add(row);
                    }
                }));
        return out;
    }

    /** Configures {@link Diagnostics}. Not thread-safe; each property may be set once. */
    public static final class Builder {
        private final DataSource dataSource;
        private @Nullable Duration statementTimeout;
        private @Nullable Duration unusedIndexMinAge;
        private @Nullable Duration longRunning;
        private int limit;
        private @Nullable Clock clock;
        private @Nullable Ticker ticker;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /** The longest any diagnostic query may run; default 5 s. */
        public Builder statementTimeout(Duration value) {
            Checks.requireUnset(statementTimeout, "statementTimeout");
            this.statementTimeout = Checks.requirePositive(value, "statementTimeout");
            return this;
        }

        /** Indexes are called unused only when their statistics are older than this; default 7 days. */
        public Builder unusedIndexMinAge(Duration value) {
            Checks.requireUnset(unusedIndexMinAge, "unusedIndexMinAge");
            this.unusedIndexMinAge = Checks.requireNonNegative(value, "unusedIndexMinAge");
            return this;
        }

        /** Statements and idle transactions longer than this are listed; default 30 s. */
        public Builder longRunning(Duration value) {
            Checks.requireUnset(longRunning, "longRunning");
            this.longRunning = Checks.requirePositive(value, "longRunning");
            return this;
        }

        /** Rows per section; default 10. */
        public Builder limit(int value) {
            if (limit != 0) {
                throw new IllegalStateException("limit was already set");
            }
            if (value < 1 || value > 1000) {
                throw new IllegalArgumentException("limit must be between 1 and 1000: " + value);
            }
            this.limit = value;
            return this;
        }

        /** The wall clock for section times and statistics ages; default UTC system clock. */
        public Builder clock(Clock value) {
            Checks.requireUnset(clock, "clock");
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** The monotonic clock for section durations; default {@link Ticker#system()}. */
        public Builder ticker(Ticker value) {
            Checks.requireUnset(ticker, "ticker");
            this.ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        /** Builds the diagnostics. */
        public Diagnostics build() {
            return new Diagnostics(this);
        }
    }
}
