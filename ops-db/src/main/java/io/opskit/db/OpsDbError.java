package io.opskit.db;

/** Why Opskit DB refused or failed; {@link #wireName()} is stable for JSON, logs and metrics. */
public enum OpsDbError {
    /** The storage guard refused a write: the database reached its configured maximum. */
    STORAGE_FULL("storage.full"),
    /** A retention run would delete more than the allowed fraction of a table without force. */
    RETENTION_REFUSED("retention.refused"),
    /** A retention batch moved a different number of rows than it deleted; it was rolled back. */
    RETENTION_INCONSISTENT("retention.inconsistent"),
    /** The database kind has no implementation of what was asked. */
    UNSUPPORTED_DATABASE("database.unsupported"),
    /** A query Opskit DB runs (a size measurement, a diagnostic, a maintenance statement) failed. */
    QUERY_FAILED("query.failed");

    private final String wireName;

    OpsDbError(String wireName) {
        this.wireName = wireName;
    }

    /** The stable lowercase name. */
    public String wireName() {
        return wireName;
    }
}
