package io.opskit.backup;

/**
 * A backup, restore or verification could not be carried out: a source failed ({@code pg_dump}
 * exited non-zero, the database is unreachable), the repository is full or unwritable, a backup id
 * does not exist. The message is one line, names what failed and holds no secret.
 */
public final class BackupFailedException extends BackupException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a one-line message. */
    public BackupFailedException(String message) {
        super(message);
    }

    /** Creates the exception with a one-line message and its cause. */
    public BackupFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
