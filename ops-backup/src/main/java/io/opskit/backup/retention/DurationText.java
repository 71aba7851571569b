package io.opskit.backup.retention;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Compact durations as people type them on a command line: {@code 30d}, {@code 26h}, {@code 1d12h}. */
final class DurationText {

    private static final Pattern COMPACT = Pattern.compile("(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    private DurationText() {
    }

    /**
     * Parses {@code 30d}, {@code 2w}, {@code 1d12h}, {@code 90m}, {@code 45s} (units w, d, h, m for
     * minutes, s, largest first) or an ISO-8601 duration such as {@code P30D}.
     *
     * @throws IllegalArgumentException naming {@code field} and the text when it cannot be parsed
     */
    static Duration parse(String field, String text) {
        String trimmed = text.trim();
        if (trimmed.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                return Duration.parse(trimmed);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(field + " must be a duration such as 30d or P30D: '" + text + "'", e);
            }
        }
        Matcher m = COMPACT.matcher(trimmed.toLowerCase(Locale.ROOT));
        if (trimmed.isEmpty() || !m.matches()) {
            throw new IllegalArgumentException(field + " must be a duration such as 30d, 26h, 1d12h or 90m"
                    + " (units w, d, h, m, s): '" + text + "'");
        }
        try {
            return Duration.ofDays(7 * number(m.group(1)))
                    .plusDays(number(m.group(2)))
                    .plusHours(number(m.group(3)))
                    .plusMinutes(number(m.group(4)))
                    .plusSeconds(number(m.group(5)));
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(field + " is too large: '" + text + "'", e);
        }
    }

    private static long number(String group) {
        return group == null ? 0 : Long.parseLong(group);
    }

    /**
     * Formats a duration compactly: {@code 30d}, {@code 1d12h}, {@code 90s} becomes {@code 1m30s};
     * one with a fraction of a second stays ISO-8601 ({@code PT1.5S}), which {@link #parse} reads too.
     */
    static String format(Duration duration) {
        if (duration.isNegative()) {
            return "-" + format(duration.negated());
        }
        long seconds = duration.getSeconds();
        if (duration.getNano() != 0 || seconds == 0) {
            // Fractions of a second have no compact form; ISO-8601 parses back exactly.
            return duration.isZero() ? "0s" : duration.toString();
        }
        StringBuilder out = new StringBuilder();
        append(out, seconds / 86_400, 'd');
        append(out, seconds % 86_400 / 3_600, 'h');
        append(out, seconds % 3_600 / 60, 'm');
        append(out, seconds % 60, 's');
        return out.toString();
    }

    private static void append(StringBuilder out, long value, char unit) {
        if (value != 0) {
            out.append(value).append(unit);
        }
    }
}
