package io.opskit.backup;

/**
 * A key file cannot be read, created or does not hold a 32-byte key. The message names the file
 * and what to do; it never contains key material.
 */
public final class KeyFileException extends BackupException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a one-line message. */
    public KeyFileException(String message) {
        super(message);
    }
}
