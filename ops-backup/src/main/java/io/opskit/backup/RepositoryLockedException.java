package io.opskit.backup;

import java.time.Instant;

/**
 * Another writer holds the repository's lock and its lease has not expired. The message names the
 * holder and the lease's expiry; the lease expires by itself when the holder stops renewing it.
 */
public final class RepositoryLockedException extends BackupException {
    private static final long serialVersionUID = 1L;

    private final Instant leaseExpiresAt;

    /** Creates the exception. */
    public RepositoryLockedException(String holder, Instant leaseExpiresAt) {
        super("backup repository is locked by " + holder + " until " + leaseExpiresAt
                + "; wait for that run to finish (the lease expires by itself)");
        this.leaseExpiresAt = leaseExpiresAt;
    }

    /** When the current holder's lease expires unless renewed. */
    public Instant leaseExpiresAt() {
        return leaseExpiresAt;
    }
}
