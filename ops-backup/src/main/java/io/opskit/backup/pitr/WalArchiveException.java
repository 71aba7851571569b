package io.opskit.backup.pitr;

import java.util.Objects;

/**
 * A WAL archive operation refused or failed: a segment that differs from the one already archived
 * under its name, a corrupted or unreadable object, a store that cannot take the write, a gap in
 * the archive. The message is one line, names the file or range and says what to do; it holds no
 * secret. {@link #reason()} says which, with a stable wire name.
 */
public class WalArchiveException extends io.opskit.api.OpsException {
    private static final long serialVersionUID = 1L;

    /** Why an archive operation failed. */
    public enum Reason {
        /** A file with the same name but different bytes is already archived. */
        MISMATCH("wal.mismatch"),
        /** An archived object fails authentication, its checksum, or is not a WAL object. */
        CORRUPT("wal.corrupt"),
        /** The store could not be written or read. */
        STORE("wal.store"),
        /** The file name is not one PostgreSQL archives. */
        BAD_NAME("wal.bad_name"),
        /** A segment's size differs from the archive's segment size. */
        SEGMENT_SIZE("wal.segment_size"),
        /** Segments are missing between a base backup and the end of the archive. */
        GAP("wal.gap");

        private final String wireName;

        Reason(String wireName) {
            this.wireName = wireName;
        }

        /** The stable name used in metric tags, events and JSON. */
        public String wireName() {
            return wireName;
        }
    }

    private final Reason reason;

    /** Creates the exception. */
    public WalArchiveException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Creates the exception with its cause. */
    public WalArchiveException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why it failed. */
    public Reason reason() {
        return reason;
    }
}
