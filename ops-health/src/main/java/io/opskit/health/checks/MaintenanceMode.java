package io.opskit.health.checks;

import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.health.Probe;
import io.opskit.health.CheckOptions;
import io.opskit.health.internal.MaintenanceGate;
import io.opskit.health.internal.MaintenanceHttpFilter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A maintenance-mode switch. While it is on the check reports {@code OUT_OF_SERVICE}, which makes
 * the readiness probe answer 503 so traffic is routed away, while liveness (which this check is
 * not part of) stays {@code UP} so the orchestrator does not restart the process. Register it with
 * {@link #options()}.
 *
 * <p>To refuse business traffic too, put {@link #filter()} in front of the JDK {@code HttpServer}
 * contexts (or {@code io.opskit.health.servlet.MaintenanceFilter} in a Servlet container): while
 * the switch is on, every request except health probes and metrics scrapes answers 503 with
 * {@code Retry-After} and a JSON body. Thread-safe.
 */
public final class MaintenanceMode implements HealthCheck {

    private final AtomicBoolean on;

    private MaintenanceMode(boolean initiallyOn) {
        this.on = new AtomicBoolean(initiallyOn);
    }

    /** A switch that starts off. */
    public static MaintenanceMode off() {
        return new MaintenanceMode(false);
    }

    /** The registration this check needs: readiness group only, critical. */
    public static CheckOptions options() {
        return CheckOptions.defaults().inGroups(Probe.READINESS).critical(true);
    }

    /**
     * Turns maintenance mode on or off.
     *
     * @param value true to take the service out of rotation
     * @return the previous state
     */
    public boolean set(boolean value) {
        return on.getAndSet(value);
    }

    /** True while maintenance mode is on. */
    public boolean isOn() {
        return on.get();
    }

    /**
     * A JDK {@code HttpServer} filter: while this switch is on, a request whose path is not
     * {@code /health} or {@code /metrics} (or under them) gets 503, {@code Retry-After: 300},
     * {@code Cache-Control: no-store} and {@code {"error":"maintenance","message":...,
     * "retryAfterSeconds":300}}. A path with a dot segment, an empty segment, a {@code ;} or a
     * {@code %} is always refused while the switch is on. Add it to every context:
     * {@code context.getFilters().add(maintenance.filter())}. Needs the {@code jdk.httpserver} module.
     */
    public com.sun.net.httpserver.Filter filter() {
        return filter(MaintenanceGate.DEFAULT_RETRY_AFTER, MaintenanceGate.DEFAULT_PASS_PATHS);
    }

    /**
     * A JDK {@code HttpServer} filter with its own {@code Retry-After} and passing paths; see
     * {@link #filter()}.
     *
     * @param retryAfter between 1 s and one day, sent in whole seconds
     * @param passPaths  paths that pass, with everything under them (for example {@code /health})
     * @throws IllegalArgumentException when {@code retryAfter} is out of range or a path does not
     *         start with '/' or ends with '/'
     */
    public com.sun.net.httpserver.Filter filter(Duration retryAfter, List<String> passPaths) {
        return new MaintenanceHttpFilter(new MaintenanceGate(this, retryAfter, passPaths));
    }

    /** {@code OUT_OF_SERVICE} while on, {@code UP} otherwise. Never throws. */
    @Override
    public HealthResult check() {
        return isOn()
                ? HealthResult.builder(HealthStatus.OUT_OF_SERVICE).message("maintenance mode is on")
                        .detail("maintenance", true).build()
                : HealthResult.builder(HealthStatus.UP).message("not in maintenance").detail("maintenance", false)
                        .build();
    }
}
