package io.opskit.db.diagnostics;

import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.internal.Checks;
import io.opskit.api.internal.DurationText;
import io.opskit.db.DbSystem;
import io.opskit.db.internal.PgQueries;
import io.opskit.db.internal.Rows;
import io.opskit.db.internal.SessionLimits;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Health checks built from the diagnostics queries, for PostgreSQL and MariaDB/MySQL (SQLite has
 * no sessions to watch: its checks answer UP with a note).
 *
 * <ul>
 *   <li>{@link #longRunning()}: the longest running statement; DEGRADED over 30 s, DOWN over 5 min by default.</li>
 *   <li>{@link #connectionUsage()}: connections in use against {@code max_connections}; DEGRADED at 70 %,
 *       DOWN at 85 % by default (the usual pool alert levels).</li>
 *   <li>{@link #idleInTransaction()}: sessions idle inside a transaction for over 60 s (PostgreSQL); DEGRADED.</li>
 *   <li>{@link #replicationLag()}: the largest standby replay lag (PostgreSQL); DEGRADED over 30 s, DOWN over 5 min.</li>
 * </ul>
 * Each check runs its query under a 5 s statement timeout. Immutable and thread-safe.
 */
public final class DbHealthChecks {

    private final DataSource dataSource;
    private final Duration longDegraded;
    private final Duration longDown;
    private final double usageDegraded;
    private final double usageDown;
    private final Duration idleLimit;
    private final Duration lagDegraded;
    private final Duration lagDown;
    private final Duration timeout;

    private DbHealthChecks(Builder b) {
        this.dataSource = b.dataSource;
        this.longDegraded = b.longDegraded;
        this.longDown = b.longDown;
        this.usageDegraded = b.usageDegraded;
        this.usageDown = b.usageDown;
        this.idleLimit = b.idleLimit;
        this.lagDegraded = b.lagDegraded;
        this.lagDown = b.lagDown;
        this.timeout = b.timeout;
    }

    /** Starts a builder over {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    private interface Query {
        HealthResult run(Connection c, DbSystem system) throws SQLException;
    }

    private HealthCheck check(Query query) {
        return () -> {
            try (SessionLimits.Session session = SessionLimits.open(dataSource, timeout, timeout)) {
                return query.run(session.connection(), session.system());
            }
        };
    }

    private int seconds() {
        return SessionLimits.querySeconds(timeout);
    }

    private static HealthStatus level(double value, double degraded, double down) {
        return value >= down ? HealthStatus.DOWN : value >= degraded ? HealthStatus.DEGRADED : HealthStatus.UP;
    }

    /** The longest running statement against the long-running limits. */
    public HealthCheck longRunning() {
        return check((c, system) -> {
            double longest;
            long count;
            if (system == DbSystem.POSTGRESQL) {
                List<Map<String, Object>> rows = Rows.query(c, seconds(), PgQueries.LONG_RUNNING,
                        (double) longDegraded.toMillis() / 1000, 1000);
                count = rows.size();
                longest = rows.isEmpty() ? 0 : Rows.number(rows.get(0), "running_seconds");
            } else if (system.isMysqlFamily()) {
                List<Map<String, Object>> rows = Rows.query(c, seconds(), "SELECT time AS running_seconds"
                        + " FROM information_schema.processlist WHERE command NOT IN ('Sleep', 'Daemon', 'Binlog Dump')"
                        + " AND id <> CONNECTION_ID() AND time > ? ORDER BY time DESC", longDegraded.toSeconds());
                count = rows.size();
                longest = rows.isEmpty() ? 0 : Rows.number(rows.get(0), "running_seconds");
            } else {
                return HealthResult.of(HealthStatus.UP, "no sessions to watch on " + system.wireName());
            }
            HealthStatus status = level(longest, longDegraded.toSeconds(), longDown.toSeconds());
            return HealthResult.builder(status)
                    .message(count == 0 ? "no statement over " + DurationText.format(longDegraded)
                            : count + " statement(s) over " + DurationText.format(longDegraded) + ", longest "
                            + DurationText.format(Duration.ofSeconds((long) longest)))
                    .detail("long_running", count).detail("longest_seconds", (long) longest).build();
        });
    }

    /** Connections in use against the server's {@code max_connections}. */
    public HealthCheck connectionUsage() {
        return check((c, system) -> {
            long used;
            long max;
            if (system == DbSystem.POSTGRESQL) {
                used = Rows.single(c, seconds(), "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'", 0);
                max = Rows.single(c, seconds(), "SELECT current_setting('max_connections')::int", 0);
            } else if (system.isMysqlFamily()) {
                used = Rows.single(c, seconds(), "SELECT count(*) FROM information_schema.processlist", 0);
                max = Rows.single(c, seconds(), "SELECT @@max_connections", 0);
            } else {
                return HealthResult.of(HealthStatus.UP, "no connection limit on " + system.wireName());
            }
            double usage = max == 0 ? 0 : (double) used / max;
            return HealthResult.builder(level(usage, usageDegraded, usageDown))
                    .message(String.format(Locale.ROOT, "%d of %d connections (%.0f %%)", used, max, usage * 100))
                    .detail("connections", used).detail("max_connections", max).detail("usage", usage).build();
        });
    }

    /** Sessions idle inside a transaction for longer than the limit (PostgreSQL). */
    public HealthCheck idleInTransaction() {
        return check((c, system) -> {
            if (system != DbSystem.POSTGRESQL) {
                return HealthResult.of(HealthStatus.UP, "not watched on " + system.wireName());
            }
            long n = Rows.query(c, seconds(), PgQueries.IDLE_IN_TRANSACTION, (double) idleLimit.toMillis() / 1000, 1000).size();
            return HealthResult.builder(n == 0 ? HealthStatus.UP : HealthStatus.DEGRADED)
                    .message(n + " session(s) idle in a transaction for over " + DurationText.format(idleLimit))
                    .detail("idle_in_transaction", n).build();
        });
    }

    /** The largest standby replay lag (PostgreSQL primary), or this standby's replay delay. */
    public HealthCheck replicationLag() {
        return check((c, system) -> {
            if (system != DbSystem.POSTGRESQL) {
                return HealthResult.of(HealthStatus.UP, "not watched on " + system.wireName());
            }
            double lag;
            if (Rows.single(c, seconds(), "SELECT CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END", 0) == 1) {
                lag = Rows.single(c, seconds(), "SELECT COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)::bigint", 0);
            } else {
                List<Map<String, Object>> rows = Rows.query(c, seconds(), PgQueries.REPLICATION);
                if (rows.isEmpty()) {
                    return HealthResult.builder(HealthStatus.UP).message("no standbys").detail("standbys", 0).build();
                }
                lag = rows.stream().mapToDouble(r -> Rows.number(r, "replay_lag_seconds")).max().orElse(0);
            }
            return HealthResult.builder(level(lag, lagDegraded.toSeconds(), lagDown.toSeconds()))
                    .message("replication lag " + DurationText.format(Duration.ofSeconds((long) lag)))
                    .detail("lag_seconds", (long) lag).build();
        });
    }

    /** Configures {@link DbHealthChecks}. Not thread-safe. */
    public static final class Builder {
        private final DataSource dataSource;
        private Duration longDegraded = Duration.ofSeconds(30);
        private Duration longDown = Duration.ofMinutes(5);
        private double usageDegraded = 0.70;
        private double usageDown = 0.85;
        private Duration idleLimit = Duration.ofSeconds(60);
        private Duration lagDegraded = Duration.ofSeconds(30);
        private Duration lagDown = Duration.ofMinutes(5);
        private Duration timeout = Duration.ofSeconds(5);
        private @Nullable Object set;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /** Long-running limits; default 30 s DEGRADED, 5 min DOWN. */
        public Builder longRunning(Duration degraded, Duration down) {
            this.longDegraded = Checks.requirePositive(degraded, "degraded");
            this.longDown = Checks.requirePositive(down, "down");
            if (down.compareTo(degraded) < 0) {
                throw new IllegalArgumentException("down must not be below degraded: " + down + " < " + degraded);
            }
            return this;
        }

        /** Connection usage fractions; default 0.70 DEGRADED, 0.85 DOWN. */
        public Builder connectionUsage(double degraded, double down) {
            this.usageDegraded = Checks.requireInRange(degraded, 0, 1, "degraded");
            this.usageDown = Checks.requireInRange(down, degraded, 1, "down");
            return this;
        }

        /** How long a session may sit idle in a transaction; default 60 s. */
        public Builder idleInTransaction(Duration limit) {
            this.idleLimit = Checks.requirePositive(limit, "idleInTransaction");
            return this;
        }

        /** Replication lag limits; default 30 s DEGRADED, 5 min DOWN. */
        public Builder replicationLag(Duration degraded, Duration down) {
            this.lagDegraded = Checks.requirePositive(degraded, "degraded");
            this.lagDown = Checks.requirePositive(down, "down");
            return this;
        }

        /** The statement timeout of each check's query; default 5 s. */
        public Builder statementTimeout(Duration value) {
            Checks.requireUnset(set, "statementTimeout");
            this.timeout = Checks.requirePositive(value, "statementTimeout");
            this.set = value;
            return this;
        }

        /** Builds the checks. */
        public DbHealthChecks build() {
            return new DbHealthChecks(this);
        }
    }
}
