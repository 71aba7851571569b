package io.opskit.backup.pitr;

import java.util.Locale;
import java.util.Objects;

/**
 * A PostgreSQL write-ahead log location ({@code pg_lsn}), written {@code X/Y} with both halves in
 * hexadecimal ({@code 0/3000028}). Compares as an unsigned 64-bit number. Immutable.
 *
 * @param value the 64-bit location, compared unsigned
 */
public record Lsn(long value) implements Comparable<Lsn> {

    /**
     * Parses {@code X/Y}.
     *
     * @throws IllegalArgumentException naming the text when it is not an LSN
     */
    public static Lsn parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || slash > 8 || text.length() - slash - 1 > 8) {
            throw new IllegalArgumentException("LSN must be X/Y in hexadecimal, e.g. 0/3000028: '" + text + "'");
        }
        try {
            long high = Long.parseLong(text.substring(0, slash), 16);
            long low = Long.parseLong(text.substring(slash + 1), 16);
            return new Lsn((high << 32) | low);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("LSN must be X/Y in hexadecimal, e.g. 0/3000028: '" + text + "'");
        }
    }

    /** The number of the segment holding this location, for segments of {@code segmentBytes}. */
    public long segmentNumber(long segmentBytes) {
        return Long.divideUnsigned(value, segmentBytes);
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    /** {@code X/Y}, upper-case hexadecimal as PostgreSQL prints it. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%X/%X", value >>> 32, value & 0xFFFFFFFFL);
    }
}
