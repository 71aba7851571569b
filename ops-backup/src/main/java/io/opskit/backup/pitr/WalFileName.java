package io.opskit.backup.pitr;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a file PostgreSQL archives: a WAL segment ({@code 000000010000000000000003}), a
 * timeline history file ({@code 00000002.history}), a backup history file
 * ({@code 000000010000000000000002.00000028.backup}) or a partial segment left by a promotion
 * ({@code 000000010000000000000005.partial}). Immutable.
 *
 * @param name     the file name as PostgreSQL gives it
 * @param kind     what the file is
 * @param timeline the timeline the file belongs to
 * @param logId    the high 32 bits of the segment's location (0 for a history file)
 * @param segment  the segment within {@code logId} (0 for a history file)
 */
public record WalFileName(String name, Kind kind, long timeline, long logId, long segment) {

    private static final Pattern SEGMENT = Pattern.compile("([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})");
    private static final Pattern HISTORY = Pattern.compile("([0-9A-F]{8})\\.history");
    private static final Pattern BACKUP = Pattern.compile("([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})\\.[0-9A-F]{8}\\.backup");
    private static final Pattern PARTIAL = Pattern.compile("([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})\\.partial");

    /** What an archived file is. */
    public enum Kind {
        /** A complete WAL segment. */
        SEGMENT,
        /** A timeline history file. */
        HISTORY,
        /** A backup history file (start and stop of a base backup). */
        BACKUP,
        /** The last, incomplete segment of a timeline that a promotion ended. */
        PARTIAL
    }

    /**
     * Parses a name PostgreSQL passes as {@code %f} (or the last element of {@code %p}).
     *
     * @throws IllegalArgumentException naming the text when it is none of the four forms
     */
    public static WalFileName parse(String name) {
        Objects.requireNonNull(name, "name");
        Matcher m = SEGMENT.matcher(name);
        if (m.matches()) {
            return of(name, Kind.SEGMENT, m);
        }
        m = HISTORY.matcher(name);
        if (m.matches()) {
            return new WalFileName(name, Kind.HISTORY, Long.parseLong(m.group(1), 16), 0, 0);
        }
        m = BACKUP.matcher(name);
        if (m.matches()) {
            return of(name, Kind.BACKUP, m);
        }
        m = PARTIAL.matcher(name);
        if (m.matches()) {
            return of(name, Kind.PARTIAL, m);
        }
        throw new IllegalArgumentException("not a WAL segment, .history, .backup or .partial file name: '" + name + "'");
    }

    private static WalFileName of(String name, Kind kind, Matcher m) {
        return new WalFileName(name, kind, Long.parseLong(m.group(1), 16), Long.parseLong(m.group(2), 16),
                Long.parseLong(m.group(3), 16));
    }

    /** The name of segment {@code segmentNumber} on {@code timeline}, for segments of {@code segmentBytes}. */
    public static String segmentName(long timeline, long segmentNumber, long segmentBytes) {
        long perLog = 0x1_0000_0000L / segmentBytes;
        return String.format(Locale.ROOT, "%08X%08X%08X", timeline, segmentNumber / perLog, segmentNumber % perLog);
    }

    /** The segment number (location / segment size) of a segment, backup or partial file. */
    public long segmentNumber(long segmentBytes) {
        return logId * (0x1_0000_0000L / segmentBytes) + segment;
    }

    /** The timeline as PostgreSQL writes it in names: 8 upper-case hexadecimal digits. */
    public String timelineHex() {
        return String.format(Locale.ROOT, "%08X", timeline);
    }

    @Override
    public String toString() {
        return name;
    }
}
