package io.opskit.jobs;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A five-field cron expression, as in crontab: {@code minute hour day-of-month month day-of-week}.
 *
 * <h2>Syntax</h2>
 * <table>
 *   <caption>Fields</caption>
 *   <tr><th>field</th><th>values</th><th>names</th></tr>
 *   <tr><td>minute</td><td>0-59</td><td></td></tr>
 *   <tr><td>hour</td><td>0-23</td><td></td></tr>
 *   <tr><td>day-of-month</td><td>1-31</td><td></td></tr>
 *   <tr><td>month</td><td>1-12</td><td>JAN-DEC</td></tr>
 *   <tr><td>day-of-week</td><td>0-7 (0 and 7 are Sunday)</td><td>SUN-SAT</td></tr>
 * </table>
 * Each field is {@code *} (every value), a value ({@code 5}, {@code MON}), a range
 * ({@code 1-5}, {@code MON-FRI}), a step over {@code *}, a range or a start value
 * ({@code *}{@code /15}, {@code 0-30/10}, {@code 5/15} meaning 5, 20, 35, 50), or a comma-separated
 * list of those ({@code 0,30}, {@code MON,WED,FRI}). Names are case-insensitive; {@code ?} is read
 * as {@code *} in the day fields. The macros {@code @yearly} ({@code @annually}), {@code @monthly},
 * {@code @weekly}, {@code @daily} ({@code @midnight}) and {@code @hourly} stand for their usual
 * expressions. As in Vixie cron, when both day fields are restricted (neither starts with
 * {@code *}) a day matches if either matches: {@code 0 2 1 * MON} runs on the 1st and on Mondays.
 *
 * <h2>Time zones and daylight saving</h2>
 * An expression describes wall-clock times in a zone, and each matching wall-clock minute runs
 * exactly once:
 * <ul>
 *   <li>a time skipped by a spring-forward change (02:30 on a day clocks jump from 02:00 to 03:00)
 *       runs at the first instant after the gap (03:00); several skipped times run once there;</li>
 *   <li>a time repeated by a fall-back change (01:30 when clocks go from 02:00 back to 01:00) runs
 *       once, at its first occurrence.</li>
 * </ul>
 * So {@code 0 * * * *} has one two-hour interval on a fall-back day; use
 * {@link Schedule#every(java.time.Duration)} for schedules that follow elapsed time.
 *
 * <p>Immutable and thread-safe.
 */
public final class CronExpression {

    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");
    private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
    /**
     * The Gregorian calendar, weekdays included, repeats every 400 years, so an expression that
     * matches at all matches within 400 years. Day fields combined with AND can be that sparse:
     * {@code 0 0 29 2 *}{@code /7} (February 29 on a Sunday) runs 28 or more years apart.
     */
    private static final int SEARCH_YEARS = 401;

    private final String text;
    private final long minutes;
    private final long hours;
    private final long daysOfMonth;
    private final long months;
    private final long daysOfWeek;
    private final boolean dayOfMonthStar;
    private final boolean dayOfWeekStar;

    private CronExpression(String text, String[] fields) {
        this.text = text;
        this.minutes = parseField(text, "minute", fields[0], 0, 59, null);
        this.hours = parseField(text, "hour", fields[1], 0, 23, null);
        this.daysOfMonth = parseField(text, "day-of-month", question(fields[2]), 1, 31, null);
        this.months = parseField(text, "month", fields[3], 1, 12, MONTHS);
        long dow = parseField(text, "day-of-week", question(fields[4]), 0, 7, DAYS);
        this.daysOfWeek = (dow & (1L << 7)) != 0 ? (dow | 1L) & ~(1L << 7) : dow;
        this.dayOfMonthStar = question(fields[2]).startsWith("*");
        this.dayOfWeekStar = question(fields[4]).startsWith("*");
        if (dayOfWeekStar) {
            checkDayOfMonthOccurs(fields[2]);
        }
    }

    /**
     * Parses an expression.
     *
     * @param expression five fields separated by white space, or a macro such as {@code @daily}
     * @return the expression
     * @throws IllegalArgumentException naming the field and the value when a field is malformed
     *                                  or out of range, when there are not exactly five fields, or
     *                                  when the expression can never match (for example
     *                                  {@code 0 0 30 FEB *})
     */
    public static CronExpression parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        String trimmed = expression.trim();
        String expanded = trimmed.startsWith("@") ? MACROS.get(trimmed.toLowerCase(Locale.ROOT)) : trimmed;
        if (expanded == null) {
            throw new IllegalArgumentException("cron macro must be one of @yearly, @annually, @monthly, @weekly,"
                    + " @daily, @midnight, @hourly: \"" + expression + "\"");
        }
        String[] fields = expanded.isEmpty() ? new String[0] : expanded.split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("cron expression must have 5 fields (minute hour day-of-month month"
                    + " day-of-week), found " + fields.length + (fields.length == 6 ? " (seconds are not supported)" : "")
                    + ": \"" + expression + "\"");
        }
        return new CronExpression(trimmed, fields);
    }

    private static String question(String field) {
        return field.equals("?") ? "*" : field;
    }

    private static long parseField(String expr, String field, String value, int min, int max, String @Nullable [] names) {
        long bits = 0;
        for (String part : value.split(",", -1)) {
            if (part.isEmpty()) {
                throw fieldError(expr, field, value, "empty list element");
            }
            int slash = part.indexOf('/');
            String base = slash < 0 ? part : part.substring(0, slash);
            int step = 1;
            if (slash >= 0) {
                step = number(expr, field, value, part.substring(slash + 1), "step");
                if (step <= 0) {
                    throw fieldError(expr, field, value, "step must be at least 1: " + part);
                }
            }
            int from;
            int to;
            if (base.equals("*")) {
                from = min;
                to = max;
            } else {
                int dash = base.indexOf('-', 1);
                from = value(expr, field, value, dash < 0 ? base : base.substring(0, dash), min, max, names);
                to = dash < 0 ? (slash < 0 ? from : max) : value(expr, field, value, base.substring(dash + 1), min, max, names);
                if (to < from) {
                    throw fieldError(expr, field, value, "range " + base + " runs backwards; write it low-high");
                }
            }
            for (int v = from; v <= to; v += step) {
                bits |= 1L << v;
            }
        }
        return bits;
    }

    private static int value(String expr, String field, String whole, String token, int min, int max, String @Nullable [] names) {
        if (names != null) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equalsIgnoreCase(token)) {
                    return names == MONTHS ? i + 1 : i;
                }
            }
        }
        if (token.isEmpty() || !token.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw fieldError(expr, field, whole, "'" + token + "' is not a number"
                    + (names == null ? "" : " or a name (" + names[0] + "-" + names[names.length - 1] + ")"));
        }
        int v = number(expr, field, whole, token, "value");
        if (v < min || v > max) {
            throw fieldError(expr, field, whole, token + " is out of range " + min + "-" + max);
        }
        return v;
    }

    private static int number(String expr, String field, String whole, String token, String what) {
        try {
            return Integer.parseInt(token);
        } catch (NumberFormatException e) {
            throw fieldError(expr, field, whole, what + " '" + token + "' is not a number");
        }
    }

    private static IllegalArgumentException fieldError(String expr, String field, String value, String detail) {
        return new IllegalArgumentException("cron " + field + " field '" + value + "' is invalid in \"" + expr + "\": " + detail);
    }

    private void checkDayOfMonthOccurs(String domField) {
        for (int month = 1; month <= 12; month++) {
            if ((months & (1L << month)) != 0) {
                int longest = Month.of(month).maxLength();
                for (int day = 1; day <= longest; day++) {
                    if ((daysOfMonth & (1L << day)) != 0) {
                        return;
                    }
                }
            }
        }
        throw new IllegalArgumentException("cron day-of-month field '" + domField + "' never occurs in the months of \""
                + text + "\": the expression would never run");
    }

    /**
     * Whether a wall-clock minute matches (seconds and nanoseconds are ignored).
     *
     * @param time a local date and time; not null
     * @return true when every field matches, with the day fields combined as the class describes
     */
    public boolean matches(LocalDateTime time) {
        return has(months, time.getMonthValue()) && dayMatches(time.toLocalDate())
                && has(hours, time.getHour()) && has(minutes, time.getMinute());
    }

    private boolean dayMatches(LocalDate date) {
        boolean dom = has(daysOfMonth, date.getDayOfMonth());
        boolean dow = has(daysOfWeek, date.getDayOfWeek().getValue() % 7);
        return dayOfMonthStar || dayOfWeekStar ? dom && dow : dom || dow;
    }

    private static boolean has(long bits, int value) {
        return (bits & (1L << value)) != 0;
    }

    /**
     * The next time this expression runs, strictly after {@code after}, in {@code after}'s zone,
     * with daylight-saving changes handled as the class describes.
     *
     * @param after the time to search from; not null
     * @return the next run, at a whole minute, strictly after {@code after}
     */
    public ZonedDateTime next(ZonedDateTime after) {
        Objects.requireNonNull(after, "after");
        ZoneId zone = after.getZone();
        ZoneRules rules = zone.getRules();
        Instant from = after.toInstant();
        LocalDateTime candidate = after.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES);
        ZoneOffsetTransition previous = rules.previousTransition(from.plusNanos(1));
        if (previous != null && previous.isOverlap()
                && from.isBefore(previous.getInstant().plus(previous.getDuration().negated()))) {
            // In the repeated hour after a fall-back: wall times from the start of the overlap
            // already ran at their first occurrence, and the loop below skips them.
            candidate = previous.getDateTimeAfter();
        }
        int lastYear = candidate.getYear() + SEARCH_YEARS;
        while (true) {
            LocalDateTime match = nextMatch(candidate, lastYear);
            Instant runAt = runInstant(match, rules);
            if (runAt.isAfter(from)) {
                return ZonedDateTime.ofInstant(runAt, zone);
            }
            candidate = match.plusMinutes(1);
        }
    }

    /**
     * The next time this expression runs strictly after an instant, in a zone.
     *
     * @param after the instant to search from; not null
     * @param zone  the zone whose wall clock the expression describes; not null
     * @return the next run's instant
     */
    public Instant next(Instant after, ZoneId zone) {
        return next(after.atZone(Objects.requireNonNull(zone, "zone"))).toInstant();
    }

    /** The instant a matching wall-clock time runs at: its first occurrence, or the end of a gap. */
    private static Instant runInstant(LocalDateTime wallTime, ZoneRules rules) {
        var offsets = rules.getValidOffsets(wallTime);
        if (offsets.isEmpty()) {
            return rules.getTransition(wallTime).getInstant();
        }
        // In an overlap the first offset is the one before the change, i.e. the earlier instant.
        return wallTime.toInstant(offsets.get(0));
    }

    private LocalDateTime nextMatch(LocalDateTime start, int lastYear) {
        LocalDateTime t = start;
        while (true) {
            if (t.getYear() > lastYear) {
                throw new IllegalStateException("cron expression \"" + text + "\" has no run within "
                        + SEARCH_YEARS + " years after " + start);
            }
            if (!has(months, t.getMonthValue())) {
                t = t.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
            } else if (!dayMatches(t.toLocalDate())) {
                t = t.toLocalDate().plusDays(1).atStartOfDay();
            } else if (!has(hours, t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else {
                long later = minutes >>> t.getMinute();
                if (later == 0) {
                    t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
                } else {
                    return t.plusMinutes(Long.numberOfTrailingZeros(later));
                }
            }
        }
    }

    /** The expression as written (a macro stays a macro). */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CronExpression c && c.minutes == minutes && c.hours == hours
                && c.daysOfMonth == daysOfMonth && c.months == months && c.daysOfWeek == daysOfWeek
                && c.dayOfMonthStar == dayOfMonthStar && c.dayOfWeekStar == dayOfWeekStar;
    }

    @Override
    public int hashCode() {
        return Objects.hash(minutes, hours, daysOfMonth, months, daysOfWeek, dayOfMonthStar, dayOfWeekStar);
    }
}
