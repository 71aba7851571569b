package io.opskit.db.diagnostics;

import java.time.Duration;
import java.util.Objects;

/**
 * What the {@link LongRunningQueryGuard} did, or would do in a dry run, to one session.
 *
 * @param sessionId       the backend pid (PostgreSQL) or connection id (MariaDB/MySQL)
 * @param user            the session's user
 * @param applicationName its {@code application_name} (PostgreSQL; empty elsewhere)
 * @param running         how long its statement had run
 * @param statement       the statement's fingerprint (no literal)
 * @param kind            what was done
 */
public record GuardAction(long sessionId, String user, String applicationName, Duration running, String statement,
                          Kind kind) {

    /** What was done to a session. */
    public enum Kind {
        /** Dry run: would cancel the statement. */
        WOULD_CANCEL("would_cancel"),
        /** Dry run: would terminate the session. */
        WOULD_TERMINATE("would_terminate"),
        /** The statement was cancelled ({@code pg_cancel_backend}, {@code KILL QUERY}). */
        CANCELLED("cancelled"),
        /** The session was terminated ({@code pg_terminate_backend}, {@code KILL}). */
        TERMINATED("terminated"),
        /** The cancel or terminate call failed or found the session gone. */
        FAILED("failed");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        /** The stable lowercase name. */
        public String wireName() {
            return wireName;
        }
    }

    /** Validates. */
    public GuardAction {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(applicationName, "applicationName");
        Objects.requireNonNull(running, "running");
        Objects.requireNonNull(statement, "statement");
        Objects.requireNonNull(kind, "kind");
    }
}
