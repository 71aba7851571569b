package io.opskit.backup;

import io.opskit.api.OpsException;
import org.jspecify.annotations.Nullable;

/**
 * The base type of every refusal and failure ops-backup reports: a backup that failed, a
 * repository that is locked, a restore that was refused, an archive that failed its integrity
 * checks, a key file that cannot be used, a retention plan that would delete too much. A host
 * that wants one {@code catch} for the module catches this type; each subclass says what refused
 * and what a user can do.
 */
public abstract class BackupException extends OpsException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what happened and what to do, for a person
     */
    protected BackupException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what happened and what to do, for a person
     * @param cause   the underlying failure, or null
     */
    protected BackupException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
