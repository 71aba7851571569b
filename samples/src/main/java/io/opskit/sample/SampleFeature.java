package io.opskit.sample;

/**
 * Wires one Opskit module into the sample. Features are installed in a fixed order before the
 * server starts listening (see {@link SampleApp}); each registers routes, filters, health checks
 * and resources to close through the {@link SampleHost}.
 */
@FunctionalInterface
public interface SampleFeature {

    /**
     * Registers what this feature adds to the sample.
     *
     * @throws Exception when the feature cannot start; the sample then exits with the reason
     */
    void install(SampleHost host) throws Exception;
}
