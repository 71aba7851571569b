package io.opskit.sample;

/**
 * Wires request metrics on every route, /metrics, /metrics/db-pool, SLOs and generated rules into the sample.
 */
final class MetricsFeature implements SampleFeature {

    @Override
    public void install(SampleHost host) throws Exception {
        // Wired by the module's own work; the sample starts without it until then.
    }
}
