package io.opskit.metrics;

import io.opskit.api.notify.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One multi-window burn-rate condition of the SRE workbook (chapter "Alerting on SLOs"): the service
 * has spent at least {@code budgetSpent} of its error budget within {@code longWindow}, and is still
 * spending at that pace over {@code shortWindow}. The short window makes the alert reset soon after
 * the burning stops.
 *
 * <p>The condition is stated as a share of the budget, not as a fixed factor, because the factor
 * depends on the SLO's window: {@link #factor(Duration) factor}{@code (sloWindow) = budgetSpent ×
 * sloWindow / longWindow}. For the workbook's 30-day window that gives 14.4 (2 % in 1 h), 6 (5 % in
 * 6 h) and 1 (10 % in 3 days); for a 7-day window the same shares give 3.36, 1.4 and 0.233.
 * The comparison is strict ({@code >}), in process and in the generated PromQL alike.
 *
 * @param longWindow  the long window, such as 1 hour; whole minutes, at most 7 days
 * @param shortWindow the short window, such as 5 minutes; whole minutes, shorter than the long one
 * @param budgetSpent the share of the error budget spent within the long window at which the
 *                    condition holds; above 0 and at most 1
 * @param severity    how urgent it is ({@code CRITICAL} pages, {@code WARNING} opens a ticket)
 */
public record BurnRateWindow(Duration longWindow, Duration shortWindow, double budgetSpent, Severity severity) {

    /**
     * The workbook's pairs: 2 % of the budget in 1 h (with 5 min) and 5 % in 6 h (with 30 min) page;
     * 10 % in 3 days (with 6 h) opens a ticket.
     */
    public static final List<BurnRateWindow> DEFAULTS = List.of(
            new BurnRateWindow(Duration.ofHours(1), Duration.ofMinutes(5), 0.02, Severity.CRITICAL),
            new BurnRateWindow(Duration.ofHours(6), Duration.ofMinutes(30), 0.05, Severity.CRITICAL),
            new BurnRateWindow(Duration.ofDays(3), Duration.ofHours(6), 0.10, Severity.WARNING));

    /**
     * Validates.
     *
     * @throws IllegalArgumentException naming the field and value when a window is not whole minutes,
     *                                  the short one is not shorter, or the budget share is out of range
     */
    public BurnRateWindow {
        Objects.requireNonNull(longWindow, "longWindow");
        Objects.requireNonNull(shortWindow, "shortWindow");
        Objects.requireNonNull(severity, "severity");
        if (shortWindow.toMinutes() < 1 || shortWindow.toMillis() % 60_000 != 0) {
            throw new IllegalArgumentException("shortWindow must be whole minutes, at least 1: " + shortWindow);
        }
        if (longWindow.compareTo(shortWindow) <= 0 || longWindow.toMillis() % 60_000 != 0
                || longWindow.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException(
                    "longWindow must be whole minutes, longer than shortWindow and at most 7 days: " + longWindow);
        }
        if (!(budgetSpent > 0 && budgetSpent <= 1)) {
            throw new IllegalArgumentException("budgetSpent must be above 0 and at most 1: " + budgetSpent);
        }
    }

    /**
     * The burn rate above which the condition holds for an SLO over {@code sloWindow}:
     * {@code budgetSpent × sloWindow / longWindow}.
     *
     * @throws IllegalArgumentException when {@code sloWindow} is shorter than the long window
     */
    public double factor(Duration sloWindow) {
        Objects.requireNonNull(sloWindow, "sloWindow");
        if (sloWindow.compareTo(longWindow) < 0) {
            throw new IllegalArgumentException("sloWindow must be at least the long window " + label(longWindow)
                    + ": " + sloWindow);
        }
        return budgetSpent * sloWindow.toMillis() / longWindow.toMillis();
    }

    /** A compact label for a window: {@code 5m}, {@code 1h}, {@code 3d}. */
    public static String label(Duration window) {
        long minutes = window.toMinutes();
        if (minutes % (24 * 60) == 0) {
            return minutes / (24 * 60) + "d";
        }
        if (minutes % 60 == 0) {
            return minutes / 60 + "h";
        }
        return minutes + "m";
    }
}
