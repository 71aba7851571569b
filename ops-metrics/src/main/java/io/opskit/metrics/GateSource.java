package io.opskit.metrics;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where a {@link DeployGate} reads an SLO's requests over a window: the in-process trackers of one
 * instance ({@link #inProcess(SloTracker)}) or a Prometheus server's query API for the whole fleet
 * ({@link #prometheus(URI, MetricsExport)}). Both count the same requests: the routes, exclusions
 * and outcomes of the {@link Slo}, and the selector of the {@link MetricsExport} the rules come from.
 *
 * <p>Implementations must be thread-safe.
 */
public interface GateSource {

    /**
     * The requests {@code slo} counted over the last {@code window} and the bad ones among them.
     *
     * @param window whole minutes, at least one
     * @throws DeployGateException when the figures cannot be read; the gate then answers
     *                             {@link GateVerdict#INCONCLUSIVE} with the message
     */
    SloEvents events(Slo slo, Duration window);

    /** One line naming the source, for reports: {@code in-process}, {@code prometheus http://...}. */
    String describe();

    /**
     * The figures {@code tracker} counts in this process, windows up to its longest burn-rate window
     * (3 days by default).
     */
    static GateSource inProcess(SloTracker tracker) {
        Objects.requireNonNull(tracker, "tracker");
        return new GateSource() {
            @Override
            public SloEvents events(Slo slo, Duration window) {
                if (tracker.slos().stream().noneMatch(s -> s.name().equals(slo.name()))) {
                    throw new DeployGateException("slo '" + slo.name() + "' is not tracked in process (tracked: "
                            + tracker.slos().stream().map(Slo::name).toList() + ")");
                }
                Duration longest = tracker.longestWindow();
                if (window.compareTo(longest) > 0) {
                    throw new DeployGateException("window " + BurnRateWindow.label(window) + " is longer than the "
                            + BurnRateWindow.label(longest) + " the in-process tracker keeps: use a shorter window or "
                            + "the Prometheus source");
                }
                double[] goodTotal = tracker.events(slo.name(), window);
                return new SloEvents(goodTotal[1], Math.max(0, goodTotal[1] - goodTotal[0]));
            }

            @Override
            public String describe() {
                return "in-process";
            }
        };
    }

    /**
     * The figures a Prometheus server at {@code baseUri} holds for the service {@code export} selects
     * (its {@code job} and selector labels), summed over its instances, read with {@code increase()}
     * through {@code GET /api/v1/query} with a 10 s timeout.
     *
     * @param baseUri the server, such as {@code http://prometheus:9090} (a path prefix is kept)
     * @throws IllegalArgumentException when {@code baseUri} is not an absolute http or https URI
     */
    static GateSource prometheus(URI baseUri, MetricsExport export) {
        return new PrometheusGateSource(baseUri, export, Duration.ofSeconds(10));
    }

    /**
     * As {@link #prometheus(URI, MetricsExport)}, with another timeout per query.
     *
     * @throws IllegalArgumentException when {@code baseUri} is not an absolute http or https URI or the
     *                                  timeout is not positive
     */
    static GateSource prometheus(URI baseUri, MetricsExport export, Duration timeout) {
        return new PrometheusGateSource(baseUri, export, timeout);
    }
}
