package io.opskit.db;

import io.opskit.api.internal.ByteSize;

/**
 * The {@link StorageGuard} refused a write: the database uses at least its configured maximum.
 * A host maps it to HTTP 507 (or 503) and keeps serving reads. {@link #subject()} is the guard's name.
 */
public final class StorageFullException extends OpsDbException {

    private static final long serialVersionUID = 1L;

    private final long usedBytes;
    private final long limitBytes;

    /**
     * Creates the exception.
     *
     * @param guardName  the guard's (database's) name
     * @param usedBytes  the last measured size in bytes
     * @param limitBytes the maximum in bytes
     */
    public StorageFullException(String guardName, long usedBytes, long limitBytes) {
        super(OpsDbError.STORAGE_FULL, guardName,
                "database " + guardName + " is full: " + ByteSize.format(usedBytes) + " used of a "
                        + ByteSize.format(limitBytes) + " maximum; new writes are refused",
                "archive or delete old data, or raise the maximum", null);
        this.usedBytes = usedBytes;
        this.limitBytes = limitBytes;
    }

    /** The size in bytes measured when the write was refused. */
    public long usedBytes() {
        return usedBytes;
    }

    /** The configured maximum in bytes. */
    public long limitBytes() {
        return limitBytes;
    }
}
