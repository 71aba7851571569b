package io.opskit.metrics;

import io.opskit.api.OpsException;

/**
 * A {@link GateSource} could not give an SLO's figures: the Prometheus server did not answer or
 * answered an error, or the in-process tracker does not track the SLO or keep the window. A
 * {@link DeployGate} reports it as {@link GateVerdict#INCONCLUSIVE} with this message.
 */
public final class DeployGateException extends OpsException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed and what a user can do, for a person */
    public DeployGateException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what a user can do, for a person
     * @param cause   the underlying failure
     */
    public DeployGateException(String message, Throwable cause) {
        super(message, cause);
    }
}
