package io.opskit.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.opskit.metrics.internal.EventRing;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Counts good and bad requests for a set of {@link Slo}s in process, in fixed memory, and reports
 * error budget and burn rates. Feed it by passing it to
 * {@link RequestMetrics.Builder#listener(RequestListener)}; bind its gauges with
 * {@link #bindTo(MeterRegistry)}.
 *
 * <p>Per SLO it keeps two rings of counters: one-minute slots over the longest burn-rate window (3
 * days by default, about 100 KiB) and one-hour slots over the SLO window (30 days: 17 KiB). A burn
 * rate is the bad share over a window divided by the error budget ({@code 1.0} spends the budget
 * exactly over the SLO window). A window covers exactly its span: the oldest one-minute slot is
 * counted pro rata, as Prometheus' {@code rate()} extrapolates to the range. A {@link BurnRateWindow}
 * condition holds only when the error ratio over both its windows is strictly above
 * {@code factor × budget} (the factor derived from the SLO's window) <em>and</em> the long window
 * holds at least {@code minEvents} requests, so that three failures out of five requests at night do
 * not page: the same comparisons as the rules {@link MetricsExport} generates.
 *
 * <p>Gauges, tagged {@code slo}: {@value #SLI} (good share over the window), {@value #BUDGET_REMAINING}
 * ({@code 1} untouched, {@code 0} spent, negative overspent), {@value #OBJECTIVE},
 * {@value #BURN_RATE} (also tagged {@code window}), {@value #BURN_ALERT} (1 or 0, also tagged
 * {@code long_window}, {@code short_window}, {@code severity}).
 *
 * <p>Time comes from the injected {@link Clock}. Thread-safe; recording is lock-free and
 * allocation-free.
 */
public final class SloTracker implements RequestListener, MeterBinder {

    /** Good share over the SLO window (1 when there was no request). */
    public static final String SLI = "slo.sli.ratio";
    /** Error budget remaining over the SLO window. */
    public static final String BUDGET_REMAINING = "slo.error.budget.remaining";
    /** The objective. */
    public static final String OBJECTIVE = "slo.objective";
    /** Burn rate over one window. */
    public static final String BURN_RATE = "slo.burn.rate";
    /** Whether a multi-window burn-rate condition holds. */
    public static final String BURN_ALERT = "slo.burn.alert";

    private static final long MINUTE = 60_000;
    private static final long HOUR = 3_600_000;

    private final Clock clock;
    private final @Nullable String prefix;
    private final long minEvents;
    private final List<BurnRateWindow> burnWindows;
    private final Tracked[] tracked;
    private final Map<String, Tracked> byName = new LinkedHashMap<>();

    private SloTracker(Builder b) {
        this.clock = b.clock;
        this.prefix = b.prefix;
        this.minEvents = b.minEvents;
        this.burnWindows = List.copyOf(b.burnWindows);
        long longest = 0;
        for (BurnRateWindow w : burnWindows) {
            longest = Math.max(longest, w.longWindow().toMillis());
        }
        List<Tracked> list = new ArrayList<>();
        for (Slo slo : b.slos.values()) {
            Tracked t = new Tracked(slo, new EventRing(MINUTE, (int) (longest / MINUTE) + 1),
                    new EventRing(HOUR, (int) (slo.window().toMillis() / HOUR) + 1));
            list.add(t);
            byName.put(slo.name(), t);
        }
        this.tracked = list.toArray(new Tracked[0]);
    }

    /** A builder with the system UTC clock, the workbook's burn-rate windows and a guard of 100 events. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void onRequest(String method, String route, int status, boolean failed, boolean refused,
                          long durationNanos) {
        long now = clock.millis();
        for (Tracked t : tracked) {
            if (t.slo.counts(route, refused)) {
                boolean good = t.slo.isGood(status, refused, durationNanos);
                t.minutes.record(now, good);
                t.hours.record(now, good);
            }
        }
    }

    /** The SLOs tracked, in the order given. */
    public List<Slo> slos() {
        List<Slo> list = new ArrayList<>();
        for (Tracked t : tracked) {
            list.add(t.slo);
        }
        return list;
    }

    /** The burn-rate conditions evaluated. */
    public List<BurnRateWindow> burnWindows() {
        return burnWindows;
    }

    /** The minimum number of requests in a long window for its condition to hold. */
    public long minEvents() {
        return minEvents;
    }

    /**
     * The good share of requests over the SLO window; 1 when there were none.
     *
     * @throws IllegalArgumentException when no SLO has that name
     */
    public double sli(String slo) {
        double[] gt = find(slo).windowCounts(clock.millis());
        return gt[1] == 0 ? 1.0 : gt[0] / gt[1];
    }

    /**
     * The error budget left over the SLO window: {@code 1} untouched, {@code 0} spent, below 0 overspent.
     *
     * @throws IllegalArgumentException when no SLO has that name
     */
    public double errorBudgetRemaining(String slo) {
        Tracked t = find(slo);
        double[] gt = t.windowCounts(clock.millis());
        if (gt[1] == 0) {
            return 1.0;
        }
        double badShare = (gt[1] - gt[0]) / gt[1];
        return 1.0 - badShare / t.slo.errorBudget();
    }

    /**
     * The bad share of requests over exactly the last {@code window} (the oldest minute counted
     * pro rata, as Prometheus' {@code rate()} extrapolates); 0 without requests.
     *
     * @param window whole minutes up to the longest burn-rate window
     * @throws IllegalArgumentException when no SLO has that name
     */
    public double errorRatio(String slo, Duration window) {
        Tracked t = find(slo);
        double[] gt = t.minutes.sum(clock.millis(), window.toMillis());
        return gt[1] == 0 ? 0.0 : (gt[1] - gt[0]) / gt[1];
    }

    /**
     * The good and total requests of {@code slo} over exactly the last {@code window}, counted as
     * {@link #errorRatio(String, Duration)} counts them: {good, total}.
     *
     * @throws IllegalArgumentException when no SLO has that name
     */
    double[] events(String slo, Duration window) {
        return find(slo).minutes.sum(clock.millis(), window.toMillis());
    }

    /** The longest window {@link #events(String, Duration)} can count: the longest burn-rate window. */
    Duration longestWindow() {
        Duration longest = Duration.ZERO;
        for (BurnRateWindow w : burnWindows) {
            longest = w.longWindow().compareTo(longest) > 0 ? w.longWindow() : longest;
        }
        return longest;
    }

    /**
     * The burn rate over the last {@code window}: {@link #errorRatio(String, Duration)} divided by the
     * error budget; 0 without requests.
     *
     * @param window whole minutes up to the longest burn-rate window
     * @throws IllegalArgumentException when no SLO has that name
     */
    public double burnRate(String slo, Duration window) {
        return errorRatio(slo, window) / find(slo).slo.errorBudget();
    }

    /**
     * Whether {@code condition} holds now for {@code slo}, exactly as the generated PromQL alert
     * decides: the error ratio over both windows is strictly above {@code factor × budget} (the factor
     * derived from the SLO's window) and the long window saw at least {@link #minEvents()} requests.
     *
     * @throws IllegalArgumentException when no SLO has that name
     */
    public boolean burning(String slo, BurnRateWindow condition) {
        Tracked t = find(slo);
        double[] longCounts = t.minutes.sum(clock.millis(), condition.longWindow().toMillis());
        if (longCounts[1] < minEvents) {
            return false;
        }
        double limit = condition.factor(t.slo.window()) * t.slo.errorBudget();
        return errorRatio(slo, condition.longWindow()) > limit && errorRatio(slo, condition.shortWindow()) > limit;
    }

    private Tracked find(String slo) {
        Tracked t = byName.get(slo);
        if (t == null) {
            throw new IllegalArgumentException("slo is not tracked: '" + slo + "' (tracked: " + byName.keySet() + ")");
        }
        return t;
    }

    /** The distinct windows that appear in the burn-rate conditions, shortest first. */
    public List<Duration> windows() {
        Set<Duration> all = new java.util.TreeSet<>();
        for (BurnRateWindow w : burnWindows) {
            all.add(w.shortWindow());
            all.add(w.longWindow());
        }
        return List.copyOf(new LinkedHashSet<>(all));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Tracked t : tracked) {
            String name = t.slo.name();
            Gauge.builder(MetricPrefix.meter(prefix, OBJECTIVE), t.slo, Slo::objective).description("SLO objective")
                    .tag("slo", name)
                    .strongReference(true).register(registry);
            Gauge.builder(MetricPrefix.meter(prefix, SLI), this, s -> s.sli(name))
                    .description("Good share of requests over the SLO window")
                    .tag("slo", name).strongReference(true).register(registry);
            Gauge.builder(MetricPrefix.meter(prefix, BUDGET_REMAINING), this, s -> s.errorBudgetRemaining(name))
                    .description("Error budget left over the SLO window: 1 untouched, 0 spent")
                    .tag("slo", name).strongReference(true).register(registry);
            for (Duration w : windows()) {
                Gauge.builder(MetricPrefix.meter(prefix, BURN_RATE), this, s -> s.burnRate(name, w))
                        .description("Bad share over the window divided by the error budget")
                        .tags("slo", name, "window", BurnRateWindow.label(w)).strongReference(true)
                        .register(registry);
            }
            for (BurnRateWindow c : burnWindows) {
                Gauge.builder(MetricPrefix.meter(prefix, BURN_ALERT), this, s -> s.burning(name, c) ? 1 : 0)
                        .description("1 when both windows burn above the factor with enough requests")
                        .tags("slo", name, "long_window", BurnRateWindow.label(c.longWindow()),
                                "short_window", BurnRateWindow.label(c.shortWindow()),
                                "severity", c.severity().name().toLowerCase(java.util.Locale.ROOT))
                        .strongReference(true).register(registry);
            }
        }
    }

    private static final class Tracked {
        final Slo slo;
        final EventRing minutes;
        final EventRing hours;

        Tracked(Slo slo, EventRing minutes, EventRing hours) {
            this.slo = slo;
            this.minutes = minutes;
            this.hours = hours;
        }

        double[] windowCounts(long now) {
            return hours.sum(now, slo.window().toMillis());
        }
    }

    /** Set-once configuration of a {@link SloTracker}; validated as set. Not thread-safe. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private long minEvents = 100;
        private List<BurnRateWindow> burnWindows = BurnRateWindow.DEFAULTS;
        private final Map<String, Slo> slos = new LinkedHashMap<>();
        private @Nullable String prefix;

        private Builder() {
        }

        /**
         * A prefix for the gauges' names: {@code chatbot} makes {@code chatbot.slo.sli.ratio}
         * ({@code chatbot_slo_sli_ratio}).
         *
         * @throws IllegalArgumentException when not 1 to 32 lower-case letters, digits and {@code _}
         *                                  starting with a letter
         * @throws IllegalStateException    when already set
         */
        public Builder metricPrefix(String prefix) {
            this.prefix = MetricPrefix.check(prefix, this.prefix);
            return this;
        }

        /** The clock (tests pass a fixed or stepping one). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Tracks an SLO.
         *
         * @throws IllegalArgumentException when an SLO of that name is already tracked
         */
        public Builder slo(Slo slo) {
            Objects.requireNonNull(slo, "slo");
            if (slos.putIfAbsent(slo.name(), slo) != null) {
                throw new IllegalArgumentException("slo name must be unique: '" + slo.name() + "'");
            }
            return this;
        }

        /**
         * The fewest requests a long window must hold for its condition to hold. Default 100.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder minEvents(long minEvents) {
            if (minEvents < 0) {
                throw new IllegalArgumentException("minEvents must not be negative: " + minEvents);
            }
            this.minEvents = minEvents;
            return this;
        }

        /**
         * The burn-rate conditions; default {@link BurnRateWindow#DEFAULTS}.
         *
         * @throws IllegalArgumentException when empty
         */
        public Builder burnWindows(List<BurnRateWindow> windows) {
            Objects.requireNonNull(windows, "burnWindows");
            if (windows.isEmpty()) {
                throw new IllegalArgumentException("burnWindows must not be empty: []");
            }
            this.burnWindows = List.copyOf(windows);
            return this;
        }

        /**
         * Builds the tracker.
         *
         * @throws IllegalStateException when no SLO was given, or an SLO's window is shorter than a
         *                               burn-rate condition's long window
         */
        public SloTracker build() {
            if (slos.isEmpty()) {
                throw new IllegalStateException("slo is required: add one with slo(...)");
            }
            for (Slo slo : slos.values()) {
                for (BurnRateWindow w : burnWindows) {
                    if (slo.window().compareTo(w.longWindow()) < 0) {
                        throw new IllegalStateException("slo '" + slo.name() + "' has a window of " + slo.window()
                                + ", shorter than the burn-rate long window " + BurnRateWindow.label(w.longWindow())
                                + ": give it a longer window or pass burnWindows(...)");
                    }
                }
            }
            return new SloTracker(this);
        }
    }
}
