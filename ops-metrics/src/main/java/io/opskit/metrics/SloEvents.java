package io.opskit.metrics;

/**
 * How many requests an SLO counted over a window and how many of them were bad, as a
 * {@link GateSource} reads them. Counts may be fractional: a window's oldest minute is counted pro
 * rata in process, and Prometheus' {@code increase()} extrapolates.
 *
 * @param total the requests the SLO counts; not negative
 * @param bad   the bad ones among them; from 0 to {@code total}
 */
public record SloEvents(double total, double bad) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException when a count is negative or not finite, or {@code bad} exceeds
     *                                  {@code total} by more than rounding
     */
    public SloEvents {
        if (!(total >= 0) || !Double.isFinite(total)) {
            throw new IllegalArgumentException("total must be a finite count, not negative: " + total);
        }
        if (!(bad >= 0) || bad > total * (1 + 1e-9) + 1e-9) {
            throw new IllegalArgumentException("bad must be from 0 to total (" + total + "): " + bad);
        }
        bad = Math.min(bad, total);
    }

    /** The bad share; 0 without requests. */
    public double errorRatio() {
        return total == 0 ? 0 : bad / total;
    }
}
