package io.opskit.jobs;

import io.opskit.api.internal.DurationText;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * When a job is due: a {@link Cron} expression in an explicit zone, or a fixed {@link Interval}.
 * Every replica computes the same due times from the same schedule, which is what lets a
 * {@link io.opskit.api.jobs.JobLock} claim each due run once.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface Schedule permits Schedule.Cron, Schedule.Interval {

    /**
     * The first due time strictly after {@code after}.
     *
     * @param after an instant; not null
     * @return the next due time
     */
    Instant nextAfter(Instant after);

    /**
     * A cron schedule, such as a daily backup at 02:00 in Berlin:
     * {@code Schedule.cron("0 2 * * *", ZoneId.of("Europe/Berlin"))}.
     *
     * @param expression a five-field cron expression; see {@link CronExpression} for the syntax and
     *                   the daylight-saving rules
     * @param zone       the zone whose wall clock the expression describes; not null
     * @return the schedule
     * @throws IllegalArgumentException naming the field and value when the expression is invalid
     */
    static Schedule cron(String expression, ZoneId zone) {
        return new Cron(CronExpression.parse(expression), zone);
    }

    /**
     * Due every {@code interval}, aligned to the Unix epoch: {@code every(Duration.ofMinutes(5))}
     * is due at :00, :05, :10 ... of every hour (UTC), whatever the zone and daylight saving.
     *
     * @param interval at least one second
     * @return the schedule
     * @throws IllegalArgumentException when {@code interval} is shorter than one second
     */
    static Schedule every(Duration interval) {
        return new Interval(interval, Instant.EPOCH);
    }

    /**
     * Due at {@code anchor} plus whole multiples of {@code interval}.
     *
     * @param interval at least one second
     * @param anchor   one of the due times; not null
     * @return the schedule
     * @throws IllegalArgumentException when {@code interval} is shorter than one second
     */
    static Schedule every(Duration interval, Instant anchor) {
        return new Interval(interval, anchor);
    }

    /**
     * Parses a schedule as a configuration file gives it: a cron expression ({@code 0 2 * * *},
     * {@code @daily}), or {@code every DURATION} ({@code every 6h}, {@code every 30m},
     * {@code every 1h30m}, {@code every PT6H}).
     *
     * @param text the schedule; not null
     * @param zone the zone for a cron expression; not null
     * @return the schedule
     * @throws IllegalArgumentException naming the value when it is neither form
     */
    static Schedule parse(String text, ZoneId zone) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(zone, "zone");
        String trimmed = text.trim();
        if (trimmed.toLowerCase(Locale.ROOT).startsWith("every ")) {
            Duration interval;
            try {
                interval = DurationText.parse(trimmed.substring(6).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("schedule interval must look like 6h, 30m, 1h30m or PT6H: '"
                        + text + "'", e);
            }
            return every(interval);
        }
        return cron(trimmed, zone);
    }

    /**
     * The next {@code count} due times after {@code after}, earliest first: a preview for an admin
     * page.
     *
     * @param after an instant; not null
     * @param count how many, 0 to 1000
     * @return the due times, each strictly after the one before
     * @throws IllegalArgumentException when {@code count} is out of range
     */
    default List<Instant> nextRuns(Instant after, int count) {
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

    /**
     * The latest due time at or before {@code at}, for the missed-run policy and the health check.
     * Searches back at most 400 years.
     *
     * @param at an instant; not null
     * @return the due time, or {@link Instant#MIN} when there is none in the searched span
     */
    Instant latestAtOrBefore(Instant at);

    /**
     * A cron expression in a zone.
     *
     * @param expression the expression
     * @param zone       the zone whose wall clock it describes
     */
    record Cron(CronExpression expression, ZoneId zone) implements Schedule {

        /** Validates. */
        public Cron {
            Objects.requireNonNull(expression, "expression");
            Objects.requireNonNull(zone, "zone");
        }

        @Override
        public Instant nextAfter(Instant after) {
            return expression.next(Objects.requireNonNull(after, "after"), zone);
        }

        @Override
        public Instant latestAtOrBefore(Instant at) {
            Objects.requireNonNull(at, "at");
            // Look back over growing spans; within a span, walk forward with next().
            for (long days : new long[] {1, 8, 32, 367, 4 * 366 + 1, 29 * 366, 401 * 366}) {
                Instant from = at.minus(Duration.ofDays(days));
                Instant last = Instant.MIN;
                Instant t = expression.next(from.minusNanos(1), zone);
                int steps = 0;
                while (!t.isAfter(at)) {
                    last = t;
                    t = expression.next(t, zone);
                    if (++steps > 600_000) {
                        break;
                    }
                }
                if (!last.equals(Instant.MIN)) {
                    return last;
                }
            }
            return Instant.MIN;
        }

        /** {@code cron "0 2 * * *" in Europe/Berlin}. */
        @Override
        public String toString() {
            return "cron \"" + expression + "\" in " + zone;
        }
    }

    /**
     * A fixed interval from an anchor.
     *
     * @param interval at least one second
     * @param anchor   one of the due times
     */
    record Interval(Duration interval, Instant anchor) implements Schedule {

        /**
         * Validates.
         *
         * @throws IllegalArgumentException when {@code interval} is shorter than one second
         */
        public Interval {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(anchor, "anchor");
            if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("interval must be at least 1 second: " + interval);
            }
        }

        @Override
        public Instant nextAfter(Instant after) {
            Objects.requireNonNull(after, "after");
            long step = interval.toMillis();
            long since = Duration.between(anchor, after).toMillis();
            Instant next = anchor.plusMillis((Math.floorDiv(since, step) + 1) * step);
            return next.isAfter(after) ? next : next.plusMillis(step);
        }

        @Override
        public Instant latestAtOrBefore(Instant at) {
            Objects.requireNonNull(at, "at");
            long step = interval.toMillis();
            long since = Duration.between(anchor, at).toMillis();
            Instant t = anchor.plusMillis(Math.floorDiv(since, step) * step);
            return t.isAfter(at) ? t.minusMillis(step) : t;
        }

        /** {@code every 5m} or {@code every 1h from 2026-01-01T00:30:00Z}. */
        @Override
        public String toString() {
            return "every " + DurationText.format(interval) + (anchor.equals(Instant.EPOCH) ? "" : " from " + anchor);
        }
    }
}
