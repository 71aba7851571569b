package io.opskit.metrics;

import io.opskit.api.notify.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One multi-window burn-rate condition of the SRE workbook: the error budget is burning at least
 * {@code factor} times the sustainable rate over both the long and the short window. The short
 * window makes the alert reset soon after the burning stops.
 *
 * @param longWindow  the long window, such as 1 hour
 * @param shortWindow the short window, such as 5 minutes; shorter than the long one
 * @param factor      the burn rate at and above which the condition holds; positive
 * @param severity    how urgent it is ({@code CRITICAL} pages, {@code WARNING} opens a ticket)
 */
public record BurnRateWindow(Duration longWindow, Duration shortWindow, double factor, Severity severity) {

    /** 1 h / 5 min at 14.4x and 6 h / 30 min at 6x page; 3 d / 6 h at 1x opens a ticket. */
    public static final List<BurnRateWindow> DEFAULTS = List.of(
            new BurnRateWindow(Duration.ofHours(1), Duration.ofMinutes(5), 14.4, Severity.CRITICAL),
            new BurnRateWindow(Duration.ofHours(6), Duration.ofMinutes(30), 6, Severity.CRITICAL),
            new BurnRateWindow(Duration.ofDays(3), Duration.ofHours(6), 1, Severity.WARNING));

    /**
     * Validates.
     *
     * @throws IllegalArgumentException naming the field and value when a window is not whole minutes,
     *                                  the short one is not shorter, or the factor is not positive
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
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor must be positive: " + factor);
        }
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
