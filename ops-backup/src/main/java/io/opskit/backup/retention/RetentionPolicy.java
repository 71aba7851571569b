package io.opskit.backup.retention;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which backups to keep: keep-last, keep-within and calendar rules (hourly, daily, weekly,
 * monthly, yearly) in an explicit time zone, plus a limit on how much one run may delete.
 *
 * <p>Build one with {@link #builder()} or {@link #parse(String)}; apply it with
 * {@link RetentionPlan#plan RetentionPlan.plan}. A rule set to 0 (or a keep-within left unset) is
 * off. At least one rule must be on: an empty policy is refused rather than read as "keep only
 * the newest". The seeds' "delete after 30 days" is {@code keepWithin(Duration.ofDays(30))}.
 *
 * <p>Immutable and thread-safe.
 */
public final class RetentionPolicy {

    /** The default {@link #maxDeleteFraction()}: one run may delete at most half of the backups. */
    public static final double DEFAULT_MAX_DELETE_FRACTION = 0.5;

    private final int keepLast;
    private final @Nullable Duration keepWithin;
    private final int keepHourly;
    private final int keepDaily;
    private final int keepWeekly;
    private final int keepMonthly;
    private final int keepYearly;
    private final ZoneId zone;
    private final double maxDeleteFraction;

    private RetentionPolicy(Builder b, ZoneId zone) {
        this.keepLast = b.keepLast;
        this.keepWithin = b.keepWithin;
        this.keepHourly = b.keepHourly;
        this.keepDaily = b.keepDaily;
        this.keepWeekly = b.keepWeekly;
        this.keepMonthly = b.keepMonthly;
        this.keepYearly = b.keepYearly;
        this.zone = zone;
        this.maxDeleteFraction = b.maxDeleteFraction;
    }

    /** Starts an empty builder; set at least one keep rule. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Parses CLI-style options, the same ones the backup CLI's {@code prune} takes:
     * {@code --keep-last N}, {@code --keep-within DURATION}, {@code --keep-hourly N},
     * {@code --keep-daily N}, {@code --keep-weekly N}, {@code --keep-monthly N},
     * {@code --keep-yearly N}, {@code --zone ZONE} and {@code --max-delete FRACTION}. Each may also
     * be written {@code --keep-daily=7}. A duration is compact ({@code 30d}, {@code 26h},
     * {@code 1d12h}, {@code 90m}, {@code 2w}) or ISO-8601 ({@code P30D}); a fraction is
     * {@code 0.5} or {@code 50%}.
     *
     * <p>Example: {@code RetentionPolicy.parse("--keep-within 30d --keep-daily 7 --zone Europe/Berlin")}.
     *
     * @param options the options separated by white space; not null
     * @return the validated policy
     * @throws IllegalArgumentException naming the option and value when an option is unknown,
     *                                  lacks its value or has a bad one, or when the policy is invalid
     */
    public static RetentionPolicy parse(String options) {
        Objects.requireNonNull(options, "options");
        String trimmed = options.trim();
        return parse(trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+")));
    }

    /**
     * Parses CLI-style options already split into arguments; see {@link #parse(String)}.
     *
     * @param arguments the arguments, for example {@code ["--keep-daily", "7", "--zone=UTC"]}
     * @return the validated policy
     * @throws IllegalArgumentException as {@link #parse(String)} does
     */
    public static RetentionPolicy parse(List<String> arguments) {
        Builder builder = builder();
        List<String> args = new ArrayList<>(arguments);
        for (int i = 0; i < args.size(); i++) {
            String option = Objects.requireNonNull(args.get(i), "argument");
            String value;
            int eq = option.indexOf('=');
            if (eq > 0) {
                value = option.substring(eq + 1);
                option = option.substring(0, eq);
            } else {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                value = args.get(++i);
            }
            switch (option) {
                case "--keep-last" -> builder.keepLast(count(option, value));
                case "--keep-within" -> builder.keepWithin(DurationText.parse(option, value));
                case "--keep-hourly" -> builder.keepHourly(count(option, value));
                case "--keep-daily" -> builder.keepDaily(count(option, value));
                case "--keep-weekly" -> builder.keepWeekly(count(option, value));
                case "--keep-monthly" -> builder.keepMonthly(count(option, value));
                case "--keep-yearly" -> builder.keepYearly(count(option, value));
                case "--zone" -> builder.zone(zone(value));
                case "--max-delete" -> builder.maxDeleteFraction(fraction(value));
                default -> throw new IllegalArgumentException("unknown retention option: '" + option
                        + "' (known: --keep-last, --keep-within, --keep-hourly, --keep-daily, --keep-weekly,"
                        + " --keep-monthly, --keep-yearly, --zone, --max-delete)");
            }
        }
        return builder.build();
    }

    /**
     * Parses a compact duration ({@code 30d}, {@code 26h}, {@code 1d12h}, {@code 90m}, {@code 2w})
     * or an ISO-8601 one ({@code P30D}), as {@link #parse(String)} reads {@code --keep-within}.
     *
     * @param text the duration text; not null
     * @return the duration
     * @throws IllegalArgumentException naming the text when it is not a duration
     */
    public static Duration parseDuration(String text) {
        return DurationText.parse("duration", Objects.requireNonNull(text, "text"));
    }

    private static int count(String option, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number: '" + value + "'", e);
        }
    }

    private static ZoneId zone(String value) {
        try {
            return ZoneId.of(value.trim());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("--zone must be a time-zone id such as Europe/Berlin or UTC: '"
                    + value + "'", e);
        }
    }

    private static double fraction(String value) {
        String v = value.trim();
        try {
            return v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1)) / 100.0 : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--max-delete must be a fraction such as 0.5 or 50%: '" + value + "'", e);
        }
    }

    /** How many of the newest verified backups to keep; 0 when off. */
    public int keepLast() {
        return keepLast;
    }

    /** Keep verified backups taken within this duration before the planning time; empty when off. */
    public Optional<Duration> keepWithin() {
        return Optional.ofNullable(keepWithin);
    }

    /** How many hourly buckets to keep the newest verified backup of; 0 when off. */
    public int keepHourly() {
        return keepHourly;
    }

    /** How many calendar days to keep the newest verified backup of; 0 when off. */
    public int keepDaily() {
        return keepDaily;
    }

    /** How many ISO weeks (Monday to Sunday) to keep the newest verified backup of; 0 when off. */
    public int keepWeekly() {
        return keepWeekly;
    }

    /** How many calendar months to keep the newest verified backup of; 0 when off. */
    public int keepMonthly() {
        return keepMonthly;
    }

    /** How many calendar years to keep the newest verified backup of; 0 when off. */
    public int keepYearly() {
        return keepYearly;
    }

    /** The time zone calendar buckets are computed in (UTC when the policy has no calendar rule). */
    public ZoneId zone() {
        return zone;
    }

    /** The largest share of all backups, in (0, 1], that one unforced run may delete. */
    public double maxDeleteFraction() {
        return maxDeleteFraction;
    }

    /** Whether any hourly, daily, weekly, monthly or yearly rule is on. */
    public boolean hasCalendarRule() {
        return keepHourly + keepDaily + keepWeekly + keepMonthly + keepYearly > 0;
    }

    /**
     * The policy as CLI options, which {@link #parse(String)} reads back into an equal policy,
     * for example {@code --keep-within 30d --keep-daily 7 --zone Europe/Berlin --max-delete 0.5}.
     */
    public String toOptions() {
        List<String> parts = new ArrayList<>();
        if (keepLast > 0) {
            parts.add("--keep-last " + keepLast);
        }
        if (keepWithin != null) {
            parts.add("--keep-within " + DurationText.format(keepWithin));
        }
        addCount(parts, "--keep-hourly", keepHourly);
        addCount(parts, "--keep-daily", keepDaily);
        addCount(parts, "--keep-weekly", keepWeekly);
        addCount(parts, "--keep-monthly", keepMonthly);
        addCount(parts, "--keep-yearly", keepYearly);
        parts.add("--zone " + zone.getId());
        parts.add("--max-delete " + maxDeleteFraction);
        return String.join(" ", parts);
    }

    private static void addCount(List<String> parts, String option, int value) {
        if (value > 0) {
            parts.add(option + " " + value);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetentionPolicy p
                && p.keepLast == keepLast && Objects.equals(p.keepWithin, keepWithin)
                && p.keepHourly == keepHourly && p.keepDaily == keepDaily && p.keepWeekly == keepWeekly
                && p.keepMonthly == keepMonthly && p.keepYearly == keepYearly
                && p.zone.equals(zone) && Double.compare(p.maxDeleteFraction, maxDeleteFraction) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(keepLast, keepWithin, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly, zone,
                maxDeleteFraction);
    }

    @Override
    public String toString() {
        return "RetentionPolicy{" + toOptions() + '}';
    }

    /**
     * Builds a {@link RetentionPolicy}. Each setter validates its value at once; {@link #build()}
     * checks the combination. Not thread-safe; use from one thread.
     */
    public static final class Builder {
        private int keepLast;
        private @Nullable Duration keepWithin;
        private int keepHourly;
        private int keepDaily;
        private int keepWeekly;
        private int keepMonthly;
        private int keepYearly;
        private @Nullable ZoneId zone;
        private double maxDeleteFraction = DEFAULT_MAX_DELETE_FRACTION;

        private Builder() {
        }

        /**
         * Keeps the {@code count} newest verified backups.
         *
         * @throws IllegalArgumentException when {@code count} is negative
         */
        public Builder keepLast(int count) {
            this.keepLast = nonNegative("keepLast", count);
            return this;
        }

        /**
         * Keeps every verified backup taken at most {@code window} before the planning time (the
         * seeds keep 30 days). Unverified backups in the window are kept too; see {@link RetentionPlan}.
         *
         * @throws IllegalArgumentException when {@code window} is zero or negative
         */
        public Builder keepWithin(Duration window) {
            Objects.requireNonNull(window, "keepWithin");
            if (window.isZero() || window.isNegative()) {
                throw new IllegalArgumentException("keepWithin must be positive: " + window);
            }
            this.keepWithin = window;
            return this;
        }

        /**
         * Keeps the newest verified backup of each of the last {@code count} hours that have one.
         *
         * @throws IllegalArgumentException when {@code count} is negative
         */
        public Builder keepHourly(int count) {
            this.keepHourly = nonNegative("keepHourly", count);
            return this;
        }

        /**
         * Keeps the newest verified backup of each of the last {@code count} days that have one.
         *
         * @throws IllegalArgumentException when {@code count} is negative
         */
        public Builder keepDaily(int count) {
            this.keepDaily = nonNegative("keepDaily", count);
            return this;
        }

        /**
         * Keeps the newest verified backup of each of the last {@code count} ISO weeks that have one.
         *
         * @throws IllegalArgumentException when {@code count} is negative
         */
        public Builder keepWeekly(int count) {
            this.keepWeekly = nonNegative("keepWeekly", count);
            return this;
        }

        /**
         * Keeps the newest verified backup of each of the last {@code count} months that have one.
         *
         * @throws IllegalArgumentException when {@code count} is negative
         */
        public Builder keepMonthly(int count) {
            this.keepMonthly = nonNegative("keepMonthly", count);
            return this;
        }

        /**
         * Keeps the newest verified backup of each of the last {@code count} years that have one.
         *
         * @throws IllegalArgumentException when {@code count} is negative
         */
        public Builder keepYearly(int count) {
            this.keepYearly = nonNegative("keepYearly", count);
            return this;
        }

        /**
         * The time zone whose calendar defines hours, days, weeks, months and years. Required
         * when a calendar rule is on: a day in Europe/Berlin is not a day in UTC.
         */
        public Builder zone(ZoneId value) {
            this.zone = Objects.requireNonNull(value, "zone");
            return this;
        }

        /**
         * The largest share of all backups one run may delete unless forced; default
         * {@value RetentionPolicy#DEFAULT_MAX_DELETE_FRACTION}. 1.0 turns the guard off.
         *
         * @throws IllegalArgumentException when {@code fraction} is not in (0, 1]
         */
        public Builder maxDeleteFraction(double fraction) {
            if (!(fraction > 0.0 && fraction <= 1.0)) {
                throw new IllegalArgumentException("maxDeleteFraction must be in (0, 1]: " + fraction);
            }
            this.maxDeleteFraction = fraction;
            return this;
        }

        /**
         * Builds the policy.
         *
         * @throws IllegalArgumentException when no keep rule is on, or when a calendar rule is on
         *                                  and no zone was given
         */
        public RetentionPolicy build() {
            boolean calendar = keepHourly + keepDaily + keepWeekly + keepMonthly + keepYearly > 0;
            if (keepLast == 0 && keepWithin == null && !calendar) {
                throw new IllegalArgumentException("retention policy must set at least one keep rule"
                        + " (keepLast, keepWithin, keepHourly, keepDaily, keepWeekly, keepMonthly or keepYearly): none set");
            }
            if (calendar && zone == null) {
                throw new IllegalArgumentException("zone must be set when a calendar rule is used: " + firstCalendarRule()
                        + " counts days in a time zone; give one, e.g. zone(ZoneId.of(\"Europe/Berlin\")) or --zone UTC");
            }
            return new RetentionPolicy(this, zone == null ? ZoneOffset.UTC : zone);
        }

        private String firstCalendarRule() {
            if (keepHourly > 0) {
                return "keepHourly=" + keepHourly;
            }
            if (keepDaily > 0) {
                return "keepDaily=" + keepDaily;
            }
            if (keepWeekly > 0) {
                return "keepWeekly=" + keepWeekly;
            }
            if (keepMonthly > 0) {
                return "keepMonthly=" + keepMonthly;
            }
            return "keepYearly=" + keepYearly;
        }

        private static int nonNegative(String field, int value) {
            if (value < 0) {
                throw new IllegalArgumentException(field + " must not be negative: " + value);
            }
            return value;
        }
    }
}
