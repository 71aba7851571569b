package io.opskit.backup;

/** How deeply a backup is verified. Each level includes the ones below it. */
public enum VerifyLevel {
    /** 1: the stored bytes are re-read and match the manifest's size and SHA-256. */
    CHECKSUM(1),
    /** 2: the whole archive is decrypted (every segment authenticated) and decompressed. */
    DECODE(2),
    /**
     * 3: a test restore into a scratch location plus the source's own check: SQLite
     * {@code PRAGMA integrity_check}, a full {@code pg_restore} read, a file archive fully extracted.
     */
    TEST_RESTORE(3);

    private final int number;

    VerifyLevel(int number) {
        this.number = number;
    }

    /** The level's number, 1 to 3. */
    public int number() {
        return number;
    }

    /**
     * The level with a number.
     *
     * @throws IllegalArgumentException when {@code number} is not 1, 2 or 3
     */
    public static VerifyLevel of(int number) {
        for (VerifyLevel level : values()) {
            if (level.number == number) {
                return level;
            }
        }
        throw new IllegalArgumentException("verify level must be 1, 2 or 3: " + number);
    }
}
