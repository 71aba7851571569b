package io.opskit.db;

import io.opskit.api.OpsException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The one base exception of Opskit DB: carries an {@link OpsDbError} code, the name of the thing
 * that refused or failed ({@link #subject()}: a database, a table, a task) and what a user can do
 * about it ({@link #action()}). Messages never contain SQL parameter values or credentials.
 */
public class OpsDbException extends OpsException {

    private static final long serialVersionUID = 1L;

    private final OpsDbError code;
    private final String subject;
    private final String action;

    /**
     * Creates the exception.
     *
     * @param code    why
     * @param subject what refused or failed (a database, table or task name)
     * @param message one line naming what happened
     * @param action  what a user can do about it
     * @param cause   the underlying failure, or null
     */
    public OpsDbException(OpsDbError code, String subject, String message, String action, @Nullable Throwable cause) {
        super(Objects.requireNonNull(message, "message") + " (" + Objects.requireNonNull(action, "action") + ")", cause);
        this.code = Objects.requireNonNull(code, "code");
        this.subject = Objects.requireNonNull(subject, "subject");
        this.action = action;
    }

    /** Why it was refused or failed. */
    public OpsDbError code() {
        return code;
    }

    /** The name of what refused or failed. */
    public String subject() {
        return subject;
    }

    /** What a user can do about it. */
    public String action() {
        return action;
    }
}
