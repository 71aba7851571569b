package io.opskit.backup;

/**
 * A stored backup failed a check: its bytes do not match the manifest's checksum, it does not
 * authenticate (the message then starts with {@code "wrong key or corrupted archive"}), it does not
 * decompress, or its test restore fails the source check. The message names the backup and source;
 * the remedy is to check the key, then restore an older backup.
 */
public final class BackupIntegrityException extends BackupException {
    private static final long serialVersionUID = 1L;

    /** The message prefix of a failed authentication, which is what a wrong key looks like. */
    public static final String WRONG_KEY_OR_CORRUPTED = "wrong key or corrupted archive";

    private final String backupId;

    /** Creates the exception for a backup. */
    public BackupIntegrityException(String backupId, String message) {
        super(message);
        this.backupId = backupId;
    }

    /** The id of the backup that failed. */
    public String backupId() {
        return backupId;
    }
}
