package io.opskit.sample;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Starts the real sample with one extra route, through the same feature mechanism a module uses. */
final class SampleAppWithProbe {

    private SampleAppWithProbe() {
    }

    static SampleApp start(SampleOptions options) throws Exception {
        return startWith(options, host -> host.adminRoute("/admin/probe",
                exchange -> HttpResponses.sendJson(exchange, 200, java.util.Map.of("ok", true))));
    }

    static SampleApp startWithSlowRoute(SampleOptions options, CountDownLatch entered, CountDownLatch release)
            throws Exception {
        return startWith(options, host -> host.route("/slow", exchange -> {
            entered.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            HttpResponses.send(exchange, 200, "text/plain", "done".getBytes(StandardCharsets.UTF_8));
        }));
    }


    private static SampleApp startWith(SampleOptions options, SampleFeature extra) throws Exception {
        java.util.List<SampleFeature> features = new java.util.ArrayList<>(SampleApp.features());
        features.add(0, extra);
        return SampleApp.start(options, features);
    }
}
