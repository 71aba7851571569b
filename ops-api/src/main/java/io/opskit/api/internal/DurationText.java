package io.opskit.api.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;

/**
 * Durations as short text, one way for every module: {@code 250ms}, {@code 30s}, {@code 5m},
 * {@code 1h}, {@code 2d}, {@code 1w}, combinations such as {@code 1h30m}, and ISO-8601
 * ({@code PT5M}). A day is 24 hours and a week 7 days: these are durations, not calendar periods.
 */
public final class DurationText {

    private DurationText() {
    }

    /**
     * Parses a duration.
     *
     * @param text the text; not null
     * @return the duration; never negative
     * @throws IllegalArgumentException naming the text when it is not a duration
     */
    public static Duration parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.length() > 64) {
            throw invalid(text);
        }
        if (s.startsWith("p")) {
            try {
                Duration d = Duration.parse(s.toUpperCase(Locale.ROOT));
                if (d.isNegative()) {
                    throw invalid(text);
                }
                return d;
            } catch (DateTimeParseException e) {
                throw invalid(text);
            }
        }
        Duration total = Duration.ZERO;
        int i = 0;
        try {
            while (i < s.length()) {
                int start = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (start == i) {
                    throw invalid(text);
                }
                long amount = Long.parseLong(s.substring(start, i));
                int unitStart = i;
                while (i < s.length() && Character.isLetter(s.charAt(i))) {
                    i++;
                }
                String unit = s.substring(unitStart, i);
                Duration part = switch (unit) {
                    case "ns" -> Duration.ofNanos(amount);
                    case "us" -> Duration.ofNanos(Math.multiplyExact(amount, 1000L));
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    case "d" -> Duration.ofDays(amount);
                    case "w" -> Duration.ofDays(Math.multiplyExact(amount, 7L));
                    default -> throw invalid(text);
                };
                total = total.plus(part);
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("duration out of range: '" + text + "'", e);
        }
        return total;
    }

    /**
     * Formats a duration in the largest units that represent it exactly: {@code 1h30m},
     * {@code 250ms}, {@code 2d}, {@code 0s}. Negative durations are prefixed with {@code -}.
     *
     * @param value the duration; not null
     * @return the text, which {@link #parse(String)} reads back to the same value when non-negative
     */
    public static String format(Duration value) {
        Objects.requireNonNull(value, "value");
        if (value.isZero()) {
            return "0s";
        }
        if (value.isNegative()) {
            return "-" + format(value.negated());
        }
        StringBuilder out = new StringBuilder();
        long seconds = value.getSeconds();
        int nanos = value.getNano();
        long days = seconds / 86_400;
        long hours = seconds % 86_400 / 3_600;
        long minutes = seconds % 3_600 / 60;
        long secs = seconds % 60;
        append(out, days, "d");
        append(out, hours, "h");
        append(out, minutes, "m");
        append(out, secs, "s");
        if (nanos != 0) {
            if (nanos % 1_000_000 == 0) {
                append(out, nanos / 1_000_000, "ms");
            } else if (nanos % 1_000 == 0) {
                append(out, nanos / 1_000, "us");
            } else {
                append(out, nanos, "ns");
            }
        }
        return out.toString();
    }

    private static void append(StringBuilder out, long amount, String unit) {
        if (amount != 0) {
            out.append(amount).append(unit);
        }
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("not a duration: '" + text
                + "' (use for example 250ms, 30s, 5m, 1h30m, 2d, 1w or PT5M)");
    }
}
