package io.opskit.sample;

import io.opskit.api.health.Probe;
import io.opskit.health.CheckOptions;
import io.opskit.health.DetailsPolicy;
import io.opskit.health.HealthEndpoint;
import io.opskit.health.HealthHttpHandler;
import io.opskit.health.OpsHealth;
import io.opskit.health.checks.DiskSpaceCheck;
import io.opskit.health.checks.HeapMemoryCheck;
import io.opskit.health.checks.HikariPoolCheck;
import io.opskit.health.checks.JdbcCheck;
import io.opskit.health.checks.MaintenanceMode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wires /health, /health/live, /health/ready and maintenance mode into the sample.
 *
 * <p>Checks: the SQLite database through the pool (critical, readiness), the pool's pressure, the
 * data directory's disk and heap memory (non-critical: they degrade, not fail), the maintenance
 * switch (readiness only, so liveness stays UP), and every check the other features contributed.
 * Per-check details only for a caller with the admin token; others see the aggregate status.
 * {@code POST /admin/maintenance?on=true|false} flips the switch; while it is on, every request
 * except {@code /health}, {@code /metrics} and {@code /admin} answers 503 with {@code Retry-After}.
 */
final class HealthFeature implements SampleFeature {

    @Override
    public void install(SampleHost host) throws Exception {
        MaintenanceMode maintenance = MaintenanceMode.off();
        CheckOptions readiness = CheckOptions.defaults().inGroups(Probe.READINESS);
        OpsHealth.Builder builder = OpsHealth.builder()
                .clock(host.clock())
                .meterRegistry(host.registry())
                .notifier(host.events())
                .register("database", JdbcCheck.of(host.dataSource()).withValidationQuery("SELECT 1"), readiness)
                .register("db-pool", HikariPoolCheck.of(host.dataSource()), readiness.critical(false))
                .register("disk", DiskSpaceCheck.of(host.dataDir()), readiness.critical(false))
                .register("memory", HeapMemoryCheck.of(),
                        CheckOptions.defaults().inGroups(Probe.LIVENESS, Probe.READINESS).critical(false))
                .register("maintenance", maintenance, MaintenanceMode.options());
        for (SampleHost.ContributedCheck contributed : host.contributedChecks()) {
            CheckOptions options = CheckOptions.defaults().critical(contributed.critical());
            if (!contributed.probes().isEmpty()) {
                options = options.inGroups(contributed.probes().toArray(Probe[]::new));
            }
            builder.register(contributed.name(), contributed.check(), options);
        }
        OpsHealth health = builder.build();
        host.onClose(health);

        HealthEndpoint endpoint = HealthEndpoint.builder(health)
                .details(DetailsPolicy.whenAuthorized(header -> host.admin().authorized(header)))
                .build();
        host.routeTree("/health", new HealthHttpHandler(endpoint));
        // Maintenance mode refuses business traffic with 503 + Retry-After; probes, scrapes and
        // the admin endpoints (which turn it off again) pass.
        host.filter(maintenance.filter(Duration.ofMinutes(5), List.of("/health", "/metrics", "/admin")));
        host.adminRoute("/admin/maintenance", exchange -> {
            if (!SampleHost.isMethod(exchange, "POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                HttpResponses.sendError(exchange, 405, "method not allowed: use POST /admin/maintenance?on=true|false");
                return;
            }
            String query = exchange.getRequestURI().getQuery();
            String on = query == null ? null : switch (query) {
                case "on=true" -> "true";
                case "on=false" -> "false";
                default -> null;
            };
            if (on == null) {
                HttpResponses.sendError(exchange, 400, "query must be on=true or on=false: " + query);
                return;
            }
            boolean was = maintenance.set(Boolean.parseBoolean(on));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("maintenance", maintenance.isOn());
            body.put("previous", was);
            HttpResponses.sendJson(exchange, 200, body);
        });
    }
}
