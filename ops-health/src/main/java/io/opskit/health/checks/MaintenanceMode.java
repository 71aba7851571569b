package io.opskit.health.checks;

import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.health.Probe;
import io.opskit.health.CheckOptions;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A maintenance-mode switch. While it is on the check reports {@code OUT_OF_SERVICE}, which makes
 * the readiness probe answer 503 so traffic is routed away, while liveness (which this check is
 * not part of) stays {@code UP} so the orchestrator does not restart the process. Register it with
 * {@link #options()}. Thread-safe.
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
