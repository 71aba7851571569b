package io.opskit.backup.schedule;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * When backups run: a cron expression in a time zone, or a fixed interval.
 *
 * <p>Immutable and thread-safe.
 */
public final class BackupSchedule {

    private final @Nullable CronExpression cron;
    private final @Nullable ZoneId zone;
    private final @Nullable Duration interval;
    private final Instant anchor;

    private BackupSchedule(@Nullable CronExpression cron, @Nullable ZoneId zone, @Nullable Duration interval, Instant anchor) {
        this.cron = cron;
        this.zone = zone;
        this.interval = interval;
        this.anchor = anchor;
    }

    /**
     * A cron schedule, for example the seeds' daily backup at 02:00:
     * {@code BackupSchedule.cron("0 2 * * *", ZoneId.of("Europe/Berlin"))}.
     *
     * @param expression a five-field cron expression; see {@link CronExpression} for the syntax
     *                   and the daylight-saving rules
     * @param zone       the zone whose wall clock the expression describes
     * @return the schedule
     * @throws IllegalArgumentException naming the field and value when the expression is invalid
     */
    public static BackupSchedule cron(String expression, ZoneId zone) {
        return cron(CronExpression.parse(expression), zone);
    }

    /**
     * A cron schedule from a parsed expression.
     *
     * @param expression the expression; not null
     * @param zone       the zone whose wall clock the expression describes; not null
     * @return the schedule
     */
    public static BackupSchedule cron(CronExpression expression, ZoneId zone) {
        return new BackupSchedule(Objects.requireNonNull(expression, "expression"), Objects.requireNonNull(zone, "zone"),
                null, Instant.EPOCH);
    }

    /**
     * Runs every {@code interval}, aligned to the Unix epoch: {@code every(Duration.ofHours(1))}
     * runs at the top of every hour (UTC), {@code every(Duration.ofMinutes(15))} at :00, :15, :30
     * and :45, whatever the time zone and daylight saving.
     *
     * @param interval at least one second
     * @return the schedule
     * @throws IllegalArgumentException when {@code interval} is shorter than one second
     */
    public static BackupSchedule every(Duration interval) {
        return every(interval, Instant.EPOCH);
    }

    /**
     * Runs every {@code interval}, at {@code anchor} plus whole multiples of it.
     *
     * @param interval at least one second
     * @param anchor   one of the run times; not null
     * @return the schedule
     * @throws IllegalArgumentException when {@code interval} is shorter than one second
     */
    public static BackupSchedule every(Duration interval, Instant anchor) {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(anchor, "anchor");
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("interval must be at least 1 second: " + interval);
        }
        return new BackupSchedule(null, null, interval, anchor);
    }

    /**
     * Parses a schedule as a configuration file gives it: a cron expression ({@code 0 2 * * *},
     * {@code @daily}), or {@code every DURATION} with a compact duration ({@code every 6h},
     * {@code every 30m}, {@code every 1d12h}) or an ISO-8601 one ({@code every PT6H}).
     *
     * @param text the schedule; not null
     * @param zone the zone for a cron expression; not null
     * @return the schedule
     * @throws IllegalArgumentException naming the value when it is neither form
     */
    public static BackupSchedule parse(String text, ZoneId zone) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(zone, "zone");
        String trimmed = text.trim();
        if (trimmed.toLowerCase(Locale.ROOT).startsWith("every ")) {
            return every(parseInterval(trimmed.substring(6).trim(), text));
        }
        return cron(trimmed, zone);
    }

    private static Duration parseInterval(String value, String whole) {
        String v = value.toUpperCase(Locale.ROOT);
        try {
            if (v.startsWith("P")) {
                return Duration.parse(v);
            }
            if (!v.matches("(\\d+D)?(\\d+H)?(\\d+M)?(\\d+S)?") || v.isEmpty()) {
                throw new IllegalArgumentException("schedule interval must look like 6h, 30m, 1d12h or PT6H: '" + whole + "'");
            }
            int days = v.indexOf('D');
            String iso = days < 0 ? "PT" + v : "P" + v.substring(0, days + 1) + (days + 1 < v.length() ? "T" + v.substring(days + 1) : "");
            return Duration.parse(iso);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("schedule interval must look like 6h, 30m, 1d12h or PT6H: '" + whole + "'", e);
        }
    }

    /**
     * The first run time strictly after {@code after}.
     *
     * @param after an instant; not null
     * @return the next run time
     */
    public Instant nextAfter(Instant after) {
        Objects.requireNonNull(after, "after");
        if (cron != null) {
            return cron.next(after, Objects.requireNonNull(zone));
        }
        long step = Objects.requireNonNull(interval).toMillis();
        long sinceAnchor = Duration.between(anchor, after).toMillis();
        long periods = Math.floorDiv(sinceAnchor, step) + 1;
        Instant next = anchor.plusMillis(periods * step);
        // Sub-millisecond remainders: make sure the result is strictly after.
        return next.isAfter(after) ? next : next.plusMillis(step);
    }

    /**
     * The next {@code count} run times after {@code after}, earliest first: a preview for an admin
     * page or a CLI.
     *
     * @param after an instant; not null
     * @param count how many, from 0 to 1000
     * @return the run times, each strictly after the one before
     * @throws IllegalArgumentException when {@code count} is out of range
     */
    public List<Instant> nextRuns(Instant after, int count) {
        Objects.requireNonNull(after, "after");
        if (count < 0 || count > 1000) {
            throw new IllegalArgumentException("count must be between 0 and 1000: " + count);
        }
        List<Instant> runs = new ArrayList<>(count);
        Instant t = after;
        for (int i = 0; i < count; i++) {
            t = nextAfter(t);
            runs.add(t);
        }
        return List.copyOf(runs);
    }

    /** The cron expression, or null for an interval schedule. */
    public @Nullable CronExpression cronExpression() {
        return cron;
    }

    /** The cron expression's zone, or null for an interval schedule. */
    public @Nullable ZoneId zone() {
        return zone;
    }

    /** The interval, or null for a cron schedule. */
    public @Nullable Duration interval() {
        return interval;
    }

    /** {@code cron "0 2 * * *" in Europe/Berlin} or {@code every PT1H}. */
    @Override
    public String toString() {
        return cron != null ? "cron \"" + cron + "\" in " + zone : "every " + interval
                + (anchor.equals(Instant.EPOCH) ? "" : " from " + anchor);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackupSchedule s && Objects.equals(s.cron, cron) && Objects.equals(s.zone, zone)
                && Objects.equals(s.interval, interval) && s.anchor.equals(anchor);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cron, zone, interval, anchor);
    }
}
