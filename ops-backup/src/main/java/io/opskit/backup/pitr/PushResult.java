package io.opskit.backup.pitr;

/** What {@link WalArchive#push(java.nio.file.Path)} did; either way the file is durable in the archive. */
public enum PushResult {
    /** The file was compressed, encrypted and made durable under its name. */
    STORED("stored"),
    /** The archive already held identical bytes under that name (PostgreSQL retried). */
    ALREADY_ARCHIVED("already_archived");

    private final String wireName;

    PushResult(String wireName) {
        this.wireName = wireName;
    }

    /** The stable name used in logs and JSON. */
    public String wireName() {
        return wireName;
    }
}
