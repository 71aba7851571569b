package io.opskit.sample;

import com.sun.net.httpserver.HttpExchange;
import io.opskit.backup.retention.RetentionPolicy;
import io.opskit.metrics.DeployGate;
import io.opskit.metrics.GateReport;
import io.opskit.metrics.GateSource;
import io.opskit.metrics.MetricsExport;
import io.opskit.metrics.SloTracker;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /admin/deploy-gate} (admin token): the {@link DeployGate} verdict over the sample's two
 * SLOs as JSON, for a progressive-delivery web check (Argo Rollouts' web metric reads
 * {@code $.verdict}: PASS succeeds, FAIL fails, anything else is inconclusive). Always 200 when the
 * gate was evaluated, whatever the verdict; 400 for a bad parameter.
 *
 * <p>Parameters: {@code window} (default setting {@code metrics.deploy_gate.window}, 30m),
 * {@code min_events} (default setting {@code metrics.deploy_gate.min_events}, 100), {@code source}
 * ({@code in-process}, the default: this instance's trackers; {@code prometheus}: the fleet's figures
 * from the server the setting {@code metrics.prometheus.url} names).
 */
final class DeployGateRoute {

    private static final Set<String> PARAMETERS = Set.of("window", "min_events", "source");

    private DeployGateRoute() {
    }

    static void install(SampleHost host, SloTracker slos, MetricsExport export) {
        SampleSettings settings = host.settings();
        String defaultWindow = settings.get("metrics.deploy_gate.window", "30m");
        String defaultMinEvents = settings.get("metrics.deploy_gate.min_events", "100");
        String prometheusUrl = settings.get("metrics.prometheus.url", "");
        // Fail at start, not at the first deploy, when a setting is wrong.
        gate(defaultWindow, defaultMinEvents);
        GateSource inProcess = GateSource.inProcess(slos);
        GateSource prometheus = null;
        if (!prometheusUrl.isEmpty()) {
            try {
                prometheus = GateSource.prometheus(URI.create(prometheusUrl), export);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("metrics.prometheus.url: " + e.getMessage(), e);
            }
        }
        GateSource fleet = prometheus;
        host.adminRoute("/admin/deploy-gate", exchange -> {
            if (!SampleHost.isMethod(exchange, "GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                HttpResponses.sendError(exchange, 405, "method not allowed: use GET");
                return;
            }
            Map<String, String> query;
            DeployGate gate;
            GateSource source;
            try {
                query = parameters(exchange);
                gate = gate(query.getOrDefault("window", defaultWindow), query.getOrDefault("min_events", defaultMinEvents));
                source = source(query.getOrDefault("source", "in-process"), inProcess, fleet);
            } catch (IllegalArgumentException e) {
                HttpResponses.sendError(exchange, 400, e.getMessage());
                return;
            }
            GateReport report = gate.evaluate(source);
            HttpResponses.send(exchange, 200, "application/json", report.toJson().getBytes(StandardCharsets.UTF_8));
        });
    }

    private static DeployGate gate(String window, String minEvents) {
        Duration w = RetentionPolicy.parseDuration(window);
        long min;
        try {
            min = Long.parseLong(minEvents);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("min_events must be a whole number: '" + minEvents + "'");
        }
        return DeployGate.builder().slo(MetricsFeature.AVAILABILITY).slo(MetricsFeature.LATENCY).window(w)
                .minEvents(min).build();
    }

    private static GateSource source(String name, GateSource inProcess, @Nullable GateSource prometheus) {
        switch (name) {
            case "in-process":
                return inProcess;
            case "prometheus":
                if (prometheus == null) {
                    throw new IllegalArgumentException("source=prometheus needs the setting metrics.prometheus.url");
                }
                return prometheus;
            default:
                throw new IllegalArgumentException("source must be in-process or prometheus: '" + name + "'");
        }
    }

    private static Map<String, String> parameters(HttpExchange exchange) throws IllegalArgumentException {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!PARAMETERS.contains(key)) {
                throw new IllegalArgumentException("unknown parameter '" + key + "': use window, min_events, source");
            }
            out.put(key, value);
        }
        return out;
    }
}
