package io.opskit.db.diagnostics;

import io.opskit.api.internal.Checks;
import io.opskit.api.internal.DurationText;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import io.opskit.api.task.OpsTask;
import io.opskit.api.task.TaskContext;
import io.opskit.api.task.TaskOutcome;
import io.opskit.db.DbSystem;
import io.opskit.db.OpsDbError;
import io.opskit.db.OpsDbException;
import io.opskit.db.internal.Rows;
import io.opskit.db.internal.SessionLimits;
import io.opskit.db.internal.SqlFingerprint;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels statements of the host's own sessions that run longer than a limit (default 5 min). Opt-in
 * and a dry run by default: {@link Builder#apply()} makes it act, {@link Builder#terminate()} makes it
 * terminate sessions instead of cancelling statements. Only sessions of the configured user (default:
 * the connecting user) and, on PostgreSQL, the configured {@code application_name} are touched, never
 * the guard's own. Every action is logged at WARN and published as an event
 * ({@code db.query.cancelled}, {@code db.query.terminated}, {@code db.query.would_cancel}, ...).
 * Runnable alone ({@link #sweep()}) or as a scheduled {@link OpsTask}. Thread-safe.
 */
public final class LongRunningQueryGuard implements OpsTask {

    private static final Logger log = LoggerFactory.getLogger(LongRunningQueryGuard.class);

    private final DataSource dataSource;
    private final Duration limit;
    private final @Nullable String applicationName;
    private final @Nullable String user;
    private final boolean apply;
    private final boolean terminate;
    private final List<Notifier> notifiers;
    private final Clock clock;

    private LongRunningQueryGuard(Builder b) {
        this.dataSource = b.dataSource;
        this.limit = b.limit == null ? Duration.ofMinutes(5) : b.limit;
        this.applicationName = b.applicationName;
        this.user = b.user;
        this.apply = b.apply;
        this.terminate = b.terminate;
        this.notifiers = List.copyOf(b.notifiers);
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    }

    /** Starts a builder over {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    @Override
    public String name() {
        return "db:long-running-query-guard";
    }

    @Override
    public TaskOutcome run(TaskContext context) throws Exception {
        List<GuardAction> actions = sweep();
        long acted = actions.stream().filter(a -> a.kind() == GuardAction.Kind.CANCELLED || a.kind() == GuardAction.Kind.TERMINATED).count();
        return TaskOutcome.done((apply ? "" : "dry run: ") + actions.size() + " statement(s) over "
                + DurationText.format(limit) + (apply ? ", " + acted + " " + (terminate ? "terminated" : "cancelled") : ""));
    }

    /**
     * Finds the sessions over the limit and acts on them (or, in a dry run, says what it would do).
     *
     * @throws SQLException when the session list cannot be read
     */
    public List<GuardAction> sweep() throws SQLException {
        try (SessionLimits.Session session = SessionLimits.open(dataSource, Duration.ofSeconds(10), Duration.ofSeconds(5))) {
            Connection c = session.connection();
            DbSystem system = session.system();
            List<Map<String, Object>> sessions;
            if (system == DbSystem.POSTGRESQL) {
                sessions = Rows.query(c, 10, "SELECT pid AS id, usename AS user_name, application_name,"
                        + " EXTRACT(EPOCH FROM now() - query_start)::float8 AS running_seconds, query"
                        + " FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend'"
                        + " AND pid <> pg_backend_pid() AND usename::text = COALESCE(?::text, current_user::text)"
                        + " AND (?::text IS NULL OR application_name = ?::text)"
                        + " AND now() - query_start > make_interval(secs => ?) ORDER BY query_start",
                        user, applicationName, applicationName, (double) limit.toMillis() / 1000);
            } else if (system.isMysqlFamily()) {
                sessions = Rows.query(c, 10, "SELECT id, user AS user_name, '' AS application_name,"
                        + " time AS running_seconds, info AS query FROM information_schema.processlist"
                        + " WHERE command = 'Query' AND id <> CONNECTION_ID()"
                        + " AND user = COALESCE(?, SUBSTRING_INDEX(CURRENT_USER(), '@', 1)) AND time > ? ORDER BY time DESC",
                        user, limit.toSeconds());
            } else {
                throw new OpsDbException(OpsDbError.UNSUPPORTED_DATABASE, name(),
                        "the long-running query guard supports PostgreSQL and MariaDB/MySQL", "use it on one of those", null);
            }
            List<GuardAction> actions = new ArrayList<>();
            for (Map<String, Object> s : sessions) {
                long id = (long) Rows.number(s, "id");
                GuardAction.Kind kind;
                if (!apply) {
                    kind = terminate ? GuardAction.Kind.WOULD_TERMINATE : GuardAction.Kind.WOULD_CANCEL;
                } else {
                    kind = act(c, system, id) ? (terminate ? GuardAction.Kind.TERMINATED : GuardAction.Kind.CANCELLED)
                            : GuardAction.Kind.FAILED;
                }
                GuardAction action = new GuardAction(id, String.valueOf(s.get("user_name")),
                        s.get("application_name") == null ? "" : String.valueOf(s.get("application_name")),
                        Duration.ofMillis((long) (Rows.number(s, "running_seconds") * 1000)),
                        SqlFingerprint.of(s.get("query") == null ? "" : s.get("query").toString()), kind);
                actions.add(action);
                publish(action);
            }
            return actions;
        }
    }

    private boolean act(Connection c, DbSystem system, long id) {
        try (Statement s = c.createStatement()) {
            if (system == DbSystem.POSTGRESQL) {
                return Rows.single(c, 10, "SELECT CASE WHEN " + (terminate ? "pg_terminate_backend" : "pg_cancel_backend")
                        + "(" + id + ") THEN 1 ELSE 0 END", 0) == 1;
            }
            s.execute((terminate ? "KILL CONNECTION " : "KILL QUERY ") + id);
            return true;
        } catch (SQLException e) {
            log.warn("long-running query guard: cannot {} session {}: {}", terminate ? "terminate" : "cancel", id, e.toString());
            return false;
        }
    }

    private void publish(GuardAction a) {
        String summary = a.kind().wireName().replace('_', ' ') + " session " + a.sessionId() + " (user " + a.user()
                + (a.applicationName().isEmpty() ? "" : ", application " + a.applicationName()) + ") running "
                + DurationText.format(a.running().withNanos(0)) + ": " + a.statement();
        log.warn("long-running query guard: {}", summary);
        OpsEvent event = new OpsEvent(name(), "db.query." + a.kind().wireName(),
                a.kind() == GuardAction.Kind.FAILED ? Severity.CRITICAL : Severity.WARNING, summary,
                Map.of("session", Long.toString(a.sessionId()), "user", a.user(), "running_seconds",
                        Long.toString(a.running().toSeconds())), clock.instant());
        for (Notifier n : notifiers) {
            try {
                n.notify(event);
            } catch (RuntimeException e) {
                log.warn("long-running query guard: a notifier failed: {}", e.toString());
            }
        }
    }

    /** Configures a {@link LongRunningQueryGuard}. Not thread-safe. */
    public static final class Builder {
        private final DataSource dataSource;
        private @Nullable Duration limit;
        private @Nullable String applicationName;
        private @Nullable String user;
        private boolean apply;
        private boolean terminate;
        private final List<Notifier> notifiers = new ArrayList<>();
        private @Nullable Clock clock;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /** Statements running longer than this are acted on; default 5 min. */
        public Builder limit(Duration value) {
            Checks.requireUnset(limit, "limit");
            this.limit = Checks.requirePositive(value, "limit");
            return this;
        }

        /** Only sessions with this {@code application_name} (PostgreSQL); default any of the user's. */
        public Builder applicationName(String value) {
            Checks.requireUnset(applicationName, "applicationName");
            this.applicationName = Checks.requireNonBlank(value, "applicationName");
            return this;
        }

        /** Only sessions of this user; default the connecting user. */
        public Builder user(String value) {
            Checks.requireUnset(user, "user");
            this.user = Checks.requireNonBlank(value, "user");
            return this;
        }

        /** Acts instead of only reporting (the default is a dry run). */
        public Builder apply() {
            this.apply = true;
            return this;
        }

        /** Terminates sessions instead of cancelling their statements. */
        public Builder terminate() {
            this.terminate = true;
            return this;
        }

        /** Adds a notifier that hears every action; repeatable. */
        public Builder notifier(Notifier value) {
            notifiers.add(Objects.requireNonNull(value, "notifier"));
            return this;
        }

        /** The wall clock for event times; default UTC system clock. */
        public Builder clock(Clock value) {
            Checks.requireUnset(clock, "clock");
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Builds the guard. */
        public LongRunningQueryGuard build() {
            return new LongRunningQueryGuard(this);
        }
    }
}
