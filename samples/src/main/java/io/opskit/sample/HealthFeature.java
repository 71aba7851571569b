package io.opskit.sample;

/**
 * Wires /health, /health/live, /health/ready and maintenance mode into the sample.
 */
final class HealthFeature implements SampleFeature {

    @Override
    public void install(SampleHost host) throws Exception {
        // Wired by the module's own work; the sample starts without it until then.
    }
}
