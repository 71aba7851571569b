package io.opskit.backup;

/**
 * A restore was refused before anything was changed: the target exists (pass force to replace it),
 * a directory target is not empty, or an archive entry would escape the target ({@code ..}, an
 * absolute path, a link). The message names the target and the reason.
 */
public final class RestoreRefusedException extends BackupException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a one-line message. */
    public RestoreRefusedException(String message) {
        super(message);
    }
}
