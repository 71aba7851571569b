package io.opskit.jobs;

import io.opskit.api.internal.Checks;
import io.opskit.api.internal.DurationText;
import io.opskit.api.notify.AlertSilence;
import io.opskit.api.notify.Notifier;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A named span of time for planned work: recurring ({@link #recurring}, a cron expression for the
 * start plus a duration) or one-off ({@link #between}). Jobs with
 * {@link JobOptions#onlyInWindow(String)} run only while their window is open; the notifiers a
 * window {@link #silencing silences} hear nothing from the scheduler while it is open (wrap other
 * modules' notifiers with {@link OpsJobs#silenceable(Notifier)} to silence those too); the alert
 * rules it {@link #silencingAlerts silences} send no notification while it is open (it is an
 * {@link AlertSilence}: give it, or {@link OpsJobs#alertSilence()}, to ops-metrics'
 * {@code AlertEvaluator.Builder.silence}). Opening and closing are published to every notifier as
 * {@code maintenance.started} and {@code maintenance.ended} events.
 *
 * <p>Immutable and thread-safe.
 */
public final class MaintenanceWindow implements AlertSilence {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final String name;
    private final @Nullable Schedule starts;
    private final Duration duration;
    private final @Nullable Instant start;
    private final @Nullable Instant end;
    private final List<Notifier> silenced;
    private final Set<String> silencedRules;

    private MaintenanceWindow(String name, @Nullable Schedule starts, Duration duration, @Nullable Instant start,
                              @Nullable Instant end, List<Notifier> silenced, Set<String> silencedRules) {
        this.name = name;
        this.starts = starts;
        this.duration = duration;
        this.start = start;
        this.end = end;
        this.silenced = silenced;
        this.silencedRules = silencedRules;
    }

    /**
     * A window that opens at every time of a cron expression in a zone and lasts {@code duration},
     * such as Sunday 03:00 to 05:00 in Berlin: {@code recurring("weekly", "0 3 * * SUN", berlin,
     * Duration.ofHours(2))}.
     *
     * @param name       lowercase letters, digits, {@code . _ -}, at most 64
     * @param cron       when it opens; see {@link CronExpression}
     * @param zone       the zone of the expression
     * @param duration   how long it stays open; positive, at most 7 days
     * @return the window
     * @throws IllegalArgumentException naming the field and value when one is invalid
     */
    public static MaintenanceWindow recurring(String name, String cron, ZoneId zone, Duration duration) {
        Checks.requirePositive(duration, "duration", Duration.ofDays(7));
        return new MaintenanceWindow(checkName(name), Schedule.cron(cron, zone), duration, null, null, List.of(),
                Set.of());
    }

    /**
     * A one-off window from {@code start} (inclusive) to {@code end} (exclusive).
     *
     * @param name  lowercase letters, digits, {@code . _ -}, at most 64
     * @param start when it opens; not null
     * @param end   when it closes; after {@code start}
     * @return the window
     * @throws IllegalArgumentException when the name is invalid or {@code end} is not after {@code start}
     */
    public static MaintenanceWindow between(String name, Instant start, Instant end) {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("end must be after start " + start + ": " + end);
        }
        return new MaintenanceWindow(checkName(name), null, Duration.between(start, end), start, end, List.of(),
                Set.of());
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "name must be lowercase letters, digits, '.', '_' or '-' (at most 64): '" + name + "'");
        }
        return name;
    }

    /**
     * A copy that also silences {@code notifiers} while open (compared by identity).
     *
     * @param notifiers the notifiers to silence; none null
     * @return the copy
     */
    public MaintenanceWindow silencing(Notifier... notifiers) {
        Objects.requireNonNull(notifiers, "notifiers");
        List<Notifier> all = new ArrayList<>(silenced);
        for (Notifier n : Arrays.asList(notifiers)) {
            all.add(Objects.requireNonNull(n, "notifier"));
        }
        return new MaintenanceWindow(name, starts, duration, start, end, List.copyOf(all), silencedRules);
    }

    /**
     * A copy that also silences the alert rules named {@code rules} while open: an alert evaluator
     * that consults this window sends none of their {@code alert.*} events during the window and
     * tells receivers the net change when it closes (see ops-metrics {@code AlertEvaluator}).
     *
     * @param rules alert rule names; none null or blank
     * @return the copy
     * @throws IllegalArgumentException when a name is blank
     */
    public MaintenanceWindow silencingAlerts(String... rules) {
        Objects.requireNonNull(rules, "rules");
        Set<String> all = new LinkedHashSet<>(silencedRules);
        for (String rule : rules) {
            all.add(Checks.requireNonBlank(Objects.requireNonNull(rule, "rule"), "rule"));
        }
        return new MaintenanceWindow(name, starts, duration, start, end, silenced, Set.copyOf(all));
    }

    /** @return the names of the alert rules this window silences while open */
    public Set<String> silencedAlerts() {
        return silencedRules;
    }

    /**
     * {@code "maintenance window NAME"} while the window is open at {@code at} and silences
     * {@code rule}; empty otherwise.
     *
     * @param rule an alert rule's name; not null
     * @param at   the instant; not null
     * @return the reason, or empty
     */
    @Override
    public Optional<String> silenced(String rule, Instant at) {
        Objects.requireNonNull(rule, "rule");
        return silencedRules.contains(rule) && isOpenAt(at) ? Optional.of("maintenance window " + name)
                : Optional.empty();
    }

    /** @return the window's name */
    public String name() {
        return name;
    }

    /**
     * Whether the window is open at an instant.
     *
     * @param at the instant; not null
     * @return true from a start (inclusive) to its end (exclusive)
     */
    public boolean isOpenAt(Instant at) {
        Objects.requireNonNull(at, "at");
        if (starts == null) {
            return !at.isBefore(Objects.requireNonNull(start)) && at.isBefore(Objects.requireNonNull(end));
        }
        Instant last = starts.latestAtOrBefore(at);
        return !last.equals(Instant.MIN) && at.isBefore(last.plus(duration));
    }

    /**
     * The next instant after {@code after} at which the window opens or closes.
     *
     * @param after an instant; not null
     * @return the instant, or {@link Instant#MAX} when it never changes again
     */
    public Instant nextChangeAfter(Instant after) {
        Objects.requireNonNull(after, "after");
        if (starts == null) {
            Instant s = Objects.requireNonNull(start);
            Instant e = Objects.requireNonNull(end);
            return after.isBefore(s) ? s : after.isBefore(e) ? e : Instant.MAX;
        }
        Instant next = starts.nextAfter(after);
        Instant last = starts.latestAtOrBefore(after);
        if (!last.equals(Instant.MIN)) {
            Instant closes = last.plus(duration);
            if (closes.isAfter(after) && closes.isBefore(next)) {
                return closes;
            }
        }
        return next;
    }

    /** @return whether the window silences this notifier (by identity) */
    boolean silences(Notifier notifier) {
        for (Notifier n : silenced) {
            if (n == notifier) {
                return true;
            }
        }
        return false;
    }

    /** {@code weekly: cron "0 3 * * SUN" in Europe/Berlin for 2h}, or {@code upgrade: START to END}. */
    @Override
    public String toString() {
        return starts == null ? name + ": " + start + " to " + end
                : name + ": " + starts + " for " + DurationText.format(duration);
    }
}
