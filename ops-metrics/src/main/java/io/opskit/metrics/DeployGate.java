package io.opskit.metrics;

import io.opskit.api.internal.Checks;
import io.opskit.api.internal.DurationText;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a deployment may proceed from the SLOs it chose: over the last {@code window}, each
 * SLO's error ratio must stay at or under {@code maxBurnRate} times its error budget (1 by default:
 * spending the budget no faster than the SLO allows), with at least {@code minEvents} requests to
 * judge it. The answer is {@link GateVerdict#PASS}, {@link GateVerdict#FAIL} (an SLO above its
 * threshold) or {@link GateVerdict#INCONCLUSIVE} (no SLO failed, but one had too few requests or no
 * figures), with the figures, as a {@link GateReport}.
 *
 * <pre>{@code
 * DeployGate gate = DeployGate.builder().slo(availability).slo(latency, 2).window(Duration.ofMinutes(30)).build();
 * GateReport inProcess = gate.evaluate(GateSource.inProcess(tracker));
 * GateReport fleet = gate.evaluate(GateSource.prometheus(URI.create("http://prometheus:9090"), export));
 * }</pre>
 *
 * <p>The comparison is strict ({@code >} fails), as the burn-rate alerts. The figures count exactly
 * the requests the SLO counts (its routes, exclusions and outcomes) in either source. Immutable and
 * thread-safe; {@link #evaluate(GateSource)} never throws for a source that fails, it answers
 * INCONCLUSIVE naming why.
 */
public final class DeployGate {

    private final Map<Slo, Double> slos;
    private final Duration window;
    private final long minEvents;
    private final Clock clock;

    private DeployGate(Builder b) {
        this.slos = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.slos));
        this.window = Objects.requireNonNull(b.window);
        this.minEvents = b.minEvents != null ? b.minEvents : 100;
        this.clock = b.clock != null ? b.clock : Clock.systemUTC();
    }

    /** A builder; at least one SLO and the window are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The SLOs checked, in order. */
    public List<Slo> slos() {
        return List.copyOf(slos.keySet());
    }

    /** The window the figures cover. */
    public Duration window() {
        return window;
    }

    /** The fewest requests an SLO needs over the window to be judged. */
    public long minEvents() {
        return minEvents;
    }

    /**
     * Reads each SLO's figures from {@code source} and judges them.
     *
     * @return the report; INCONCLUSIVE for an SLO whose figures the source could not give
     */
    public GateReport evaluate(GateSource source) {
        Objects.requireNonNull(source, "source");
        Instant now = clock.instant();
        List<GateCheck> checks = new ArrayList<>();
        for (Map.Entry<Slo, Double> e : slos.entrySet()) {
            checks.add(check(e.getKey(), e.getValue(), source));
        }
        GateVerdict verdict = GateVerdict.PASS;
        for (GateCheck c : checks) {
            if (c.verdict() == GateVerdict.FAIL) {
                verdict = GateVerdict.FAIL;
            } else if (c.verdict() == GateVerdict.INCONCLUSIVE && verdict == GateVerdict.PASS) {
                verdict = GateVerdict.INCONCLUSIVE;
            }
        }
        return new GateReport(verdict, source.describe(), window, minEvents, now, checks);
    }

    private GateCheck check(Slo slo, double maxBurnRate, GateSource source) {
        double budget = slo.errorBudget();
        double maxRatio = maxBurnRate * budget;
        SloEvents events;
        try {
            events = source.events(slo, window);
        } catch (DeployGateException e) {
            return new GateCheck(slo.name(), GateVerdict.INCONCLUSIVE, Double.NaN, Double.NaN, Double.NaN, maxRatio,
                    Double.NaN, maxBurnRate, "no figures: " + e.getMessage());
        }
        double ratio = events.errorRatio();
        double burn = ratio / budget;
        String requests = format(events.total()) + " requests in " + DurationText.format(window);
        if (events.total() < minEvents) {
            return new GateCheck(slo.name(), GateVerdict.INCONCLUSIVE, events.total(), events.bad(), ratio, maxRatio,
                    burn, maxBurnRate, requests + ", fewer than the " + minEvents + " needed to judge");
        }
        boolean fails = ratio > maxRatio;
        String reason = "error ratio " + percent(ratio) + (fails ? " above " : " within ") + percent(maxRatio)
                + " (burn rate " + format(burn) + ", at most " + format(maxBurnRate) + ") over " + requests;
        return new GateCheck(slo.name(), fails ? GateVerdict.FAIL : GateVerdict.PASS, events.total(), events.bad(),
                ratio, maxRatio, burn, maxBurnRate, reason);
    }

    private static String percent(double ratio) {
        return format(ratio * 100) + " %";
    }

    /** Three significant digits, no exponent: {@code 5.22}, {@code 0.1}, {@code 1230}. */
    static String format(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        if (v == 0) {
            return "0";
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
    }

    @Override
    public String toString() {
        return "DeployGate[" + slos.keySet().stream().map(Slo::name).toList() + ", window="
                + DurationText.format(window) + ", minEvents=" + minEvents + "]";
    }

    /** Set-once configuration of a {@link DeployGate}; validated as set. Not thread-safe. */
    public static final class Builder {
        private final Map<Slo, Double> slos = new LinkedHashMap<>();
        private @Nullable Duration window;
        private @Nullable Long minEvents;
        private @Nullable Clock clock;

        private Builder() {
        }

        /**
         * Checks {@code slo} with a maximum burn rate of 1.
         *
         * @throws IllegalArgumentException when an SLO of that name was already added
         */
        public Builder slo(Slo slo) {
            return slo(slo, 1);
        }

        /**
         * Checks {@code slo}: FAIL when its error ratio over the window is above {@code maxBurnRate}
         * times its error budget. Repeatable, once per SLO name.
         *
         * @throws IllegalArgumentException when {@code maxBurnRate} is not positive and finite, or an
         *                                  SLO of that name was already added
         */
        public Builder slo(Slo slo, double maxBurnRate) {
            Objects.requireNonNull(slo, "slo");
            if (!(maxBurnRate > 0) || !Double.isFinite(maxBurnRate)) {
                throw new IllegalArgumentException("maxBurnRate must be positive and finite: " + maxBurnRate);
            }
            for (Slo s : slos.keySet()) {
                if (s.name().equals(slo.name())) {
                    throw new IllegalArgumentException("slo was already added: '" + slo.name() + "'");
                }
            }
            slos.put(slo, maxBurnRate);
            return this;
        }

        /**
         * The window the figures cover, ending when the gate is evaluated: whole minutes, from 1 minute
         * to 90 days (the in-process source keeps 3 days by default).
         *
         * @throws IllegalArgumentException when not whole minutes or out of range
         * @throws IllegalStateException    when already set
         */
        public Builder window(Duration window) {
            Checks.requirePositive(window, "window", Duration.ofDays(90));
            Checks.requireUnset(this.window, "window");
            if (window.toMillis() % 60_000 != 0) {
                throw new IllegalArgumentException("window must be whole minutes: " + window);
            }
            this.window = window;
            return this;
        }

        /**
         * The fewest requests an SLO needs over the window to be judged; fewer is INCONCLUSIVE.
         * Default 100, the burn-rate alerts' guard.
         *
         * @throws IllegalArgumentException when negative
         * @throws IllegalStateException    when already set
         */
        public Builder minEvents(long minEvents) {
            Checks.requireNonNegative(minEvents, "minEvents");
            Checks.requireUnset(this.minEvents, "minEvents");
            this.minEvents = minEvents;
            return this;
        }

        /**
         * The clock that stamps reports; default the system UTC clock. The sources read their own time.
         *
         * @throws IllegalStateException when already set
         */
        public Builder clock(Clock clock) {
            Objects.requireNonNull(clock, "clock");
            Checks.requireUnset(this.clock, "clock");
            this.clock = clock;
            return this;
        }

        /**
         * Builds the gate.
         *
         * @throws IllegalStateException when no SLO or no window was given
         */
        public DeployGate build() {
            if (slos.isEmpty()) {
                throw new IllegalStateException("slo is required: add one with slo(...)");
            }
            Checks.requirePresent(window, "window");
            return new DeployGate(this);
        }
    }
}
