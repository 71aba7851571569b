package io.opskit.sample;

/**
 * Wires POST /api/feedback through the AI guard, GET /admin/budget into the sample.
 */
final class AiFeedbackFeature implements SampleFeature {

    @Override
    public void install(SampleHost host) throws Exception {
        // Wired by the module's own work; the sample starts without it until then.
    }
}
