package io.opskit.backup.pitr;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * A PostgreSQL timeline history file ({@code TTTTTTTT.history}), which a server archives when it
 * starts a new timeline (a promotion at the end of a point-in-time restore, or a failover). It
 * lists the timeline's ancestors, oldest first, one line each: {@code parentTLI<TAB>switchpoint<TAB>reason},
 * the switch point being the location at which history left that timeline for the next one. Blank
 * lines and lines starting with {@code #} are skipped, as PostgreSQL does. Immutable.
 *
 * @param timeline the timeline the file describes (from its name)
 * @param entries  its ancestors, oldest first, with increasing timeline ids below {@code timeline}
 *                 and switch points that never decrease
 */
public record TimelineHistory(long timeline, List<Entry> entries) {

    private static final long MAX_TIMELINE = 0xFFFFFFFFL;
    private static final int QUOTE_CHARS = 60;
    private static final Pattern HISTORY_NAME = Pattern.compile("[0-9A-F]{8}\\.history");
    private static final Pattern LSN = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

    /**
     * One ancestor.
     *
     * @param timeline    the ancestor timeline
     * @param switchPoint where history left it (the first location of the next timeline)
     * @param reason      PostgreSQL's free text (e.g. {@code before 2026-12-01 01:58:00+00}), may be empty
     */
    public record Entry(long timeline, Lsn switchPoint, String reason) {
        /** Checks the arguments. */
        public Entry {
            Objects.requireNonNull(switchPoint, "switchPoint");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Copies the list and checks the order PostgreSQL requires. */
    public TimelineHistory {
        entries = List.copyOf(entries);
        if (timeline < 1 || timeline > MAX_TIMELINE) {
            throw new IllegalArgumentException("timeline must be 1 to " + MAX_TIMELINE + ": " + timeline);
        }
        long last = 0;
        Lsn lastSwitch = new Lsn(0);
        for (Entry e : entries) {
            if (e.timeline() <= last || e.timeline() >= timeline) {
                throw new IllegalArgumentException("entries must have increasing timelines below " + timeline + ": " + entries);
            }
            if (e.switchPoint().compareTo(lastSwitch) < 0) {
                throw new IllegalArgumentException("switch points must not decrease: " + entries);
            }
            last = e.timeline();
            lastSwitch = e.switchPoint();
        }
    }

    /**
     * Parses the content of history file {@code fileName} (e.g. {@code 00000002.history}); the
     * bytes are read as UTF-8, anything undecodable in a reason replaced.
     *
     * @throws IllegalArgumentException naming the file, and the line and what was expected when a
     *         line is not {@code TLI<TAB>X/Y[<TAB>reason]} or breaks the order
     */
    public static TimelineHistory parse(String fileName, byte[] content) {
        Objects.requireNonNull(content, "content");
        return parse(fileName, new String(content, StandardCharsets.UTF_8));
    }

    /**
     * Parses the text of history file {@code fileName}.
     *
     * @throws IllegalArgumentException naming the file, and the line and what was expected when a
     *         line is not {@code TLI<TAB>X/Y[<TAB>reason]} or breaks the order
     */
    public static TimelineHistory parse(String fileName, String content) {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(content, "content");
        long timeline = fileTimeline(fileName);
        List<Entry> entries = new ArrayList<>();
        String[] lines = content.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            int p = skipSpace(line, 0);
            if (p == line.length() || line.charAt(p) == '#') {
                continue;
            }
            String where = fileName + " line " + (i + 1) + ": ";
            int digits = p;
            while (digits < line.length() && isDigit(line.charAt(digits))) {
                digits++;
            }
            if (digits == p) {
                throw new IllegalArgumentException(where + "expected a timeline id (a decimal number) at the start, found "
                        + quote(line.substring(p)));
            }
            long tli = digits - p > 10 ? Long.MAX_VALUE : Long.parseLong(line.substring(p, digits));
            if (tli < 1 || tli > MAX_TIMELINE) {
                throw new IllegalArgumentException(where + "timeline id " + quote(line.substring(p, digits))
                        + " is outside 1 to " + MAX_TIMELINE);
            }
            int lsnStart = skipSpace(line, digits);
            if (lsnStart == digits || lsnStart == line.length()) {
                throw new IllegalArgumentException(where + "expected a tab and a switch point location X/Y after timeline id "
                        + tli + ", found " + quote(line.substring(digits)));
            }
            int lsnEnd = lsnStart;
            while (lsnEnd < line.length() && !isSpace(line.charAt(lsnEnd))) {
                lsnEnd++;
            }
            String lsnText = line.substring(lsnStart, lsnEnd);
            if (!LSN.matcher(lsnText).matches()) {
                throw new IllegalArgumentException(where + "expected a switch point location X/Y in hexadecimal after"
                        + " timeline id " + tli + ", found " + quote(lsnText));
            }
            Lsn switchPoint = Lsn.parse(lsnText);
            String reason = line.substring(skipSpace(line, lsnEnd)).strip();
            if (tli >= timeline) {
                throw new IllegalArgumentException(where + "timeline " + tli + " is not an ancestor of timeline " + timeline
                        + " (the file's own): ancestors have smaller ids");
            }
            if (!entries.isEmpty()) {
                Entry previous = entries.get(entries.size() - 1);
                if (tli <= previous.timeline()) {
                    throw new IllegalArgumentException(where + "timeline ids must increase, but " + tli + " follows "
                            + previous.timeline());
                }
                if (switchPoint.compareTo(previous.switchPoint()) < 0) {
                    throw new IllegalArgumentException(where + "switch point " + switchPoint + " of timeline " + tli
                            + " is before " + previous.switchPoint() + ", where its ancestor " + previous.timeline() + " ended");
                }
            }
            entries.add(new Entry(tli, switchPoint, reason));
        }
        return new TimelineHistory(timeline, entries);
    }

    private static long fileTimeline(String fileName) {
        if (HISTORY_NAME.matcher(fileName).matches()) {
            long timeline = WalFileName.parse(fileName).timeline();
            if (timeline >= 1) {
                return timeline;
            }
        }
        throw new IllegalArgumentException(quote(fileName) + " is not a timeline history file name such as 00000002.history");
    }

    /** The timeline this one branched from, if it has a parent. */
    public OptionalLong parent() {
        return entries.isEmpty() ? OptionalLong.empty() : OptionalLong.of(entries.get(entries.size() - 1).timeline());
    }

    /** Where this timeline begins: the switch point at which its parent ended, if it has a parent. */
    public Optional<Lsn> begin() {
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(entries.size() - 1).switchPoint());
    }

    /** Where history left {@code ancestor} on the way to this timeline, if it is an ancestor. */
    public Optional<Lsn> switchPointOf(long ancestor) {
        return entries.stream().filter(e -> e.timeline() == ancestor).map(Entry::switchPoint).findFirst();
    }

    private static int skipSpace(String s, int from) {
        int p = from;
        while (p < s.length() && isSpace(s.charAt(p))) {
            p++;
        }
        return p;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\u000B' || c == '\f' || c == '\r';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The text in quotes, one line, at most 60 characters, a tab shown as {@code \t}, other control characters as ?. */
    private static String quote(String text) {
        StringBuilder b = new StringBuilder("'");
        int n = 0;
        for (int i = 0; i < text.length() && n < QUOTE_CHARS; i++, n++) {
            char c = text.charAt(i);
            if (c == '\t') {
                b.append("\\t");
                continue;
            }
            b.append(Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR ? '?' : c);
        }
        if (text.length() > QUOTE_CHARS) {
            b.append("...");
        }
        return b.append('\'').toString();
    }
}
