package io.opskit.db;

/** Where a database's used size stands against a {@link StorageGuard}'s thresholds. */
public enum StorageLevel {
    /** Below the warning threshold. */
    OK("ok"),
    /** At or above warning, below critical. */
    WARNING("warning"),
    /** At or above critical, below the maximum: time to archive old data. */
    CRITICAL("critical"),
    /** At or above the maximum: new writes are refused. */
    FULL("full");

    private final String wireName;

    StorageLevel(String wireName) {
        this.wireName = wireName;
    }

    /** The stable lowercase name. */
    public String wireName() {
        return wireName;
    }
}
