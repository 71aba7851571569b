package io.opskit.backup;

import org.jspecify.annotations.Nullable;

/**
 * The check a restored SQLite database passes before it is swapped in for the target.
 *
 * <p>Whatever the check, a restore first proves the bytes: every segment's AES-GCM tag and the
 * stored archive's SHA-256 must match, so the file written is exactly the snapshot that was backed
 * up. What the check adds is SQLite's own view of that snapshot, which can only find damage that
 * was already in the database when it was backed up.
 */
public enum RestoreCheck {

    /**
     * The default: {@link #QUICK}, unless the backup's manifest records a passed level-3
     * verification ({@link VerifyLevel#TEST_RESTORE}). Then the same authenticated bytes have
     * already passed {@code integrity_check}, and the restore only confirms that the file opens as
     * a database whose schema reads and whose page count matches its size.
     */
    AUTO,

    /**
     * {@code PRAGMA quick_check}: every page and b-tree is well formed and every record readable.
     * It skips what {@code integrity_check} adds (that each index matches its table and that
     * UNIQUE and NOT NULL hold); on a 400 MB database it takes about a tenth of the time.
     */
    QUICK,

    /** {@code PRAGMA integrity_check}: the full check, as level-3 verification runs it. */
    FULL;

    /**
     * The SQLite pragma this check runs on a restored database, or null for the open check.
     *
     * @param verified whether the backup passed level-3 verification
     */
    @Nullable String pragmaFor(boolean verified) {
        return switch (this) {
            case FULL -> "integrity_check";
            case QUICK -> "quick_check";
            case AUTO -> verified ? null : "quick_check";
        };
    }
}
