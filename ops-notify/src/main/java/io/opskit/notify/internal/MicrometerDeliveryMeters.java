package io.opskit.notify.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The Micrometer meters of one asynchronous notifier, all tagged {@code notifier}; every counter is
 * registered at zero. The only class here that touches Micrometer. Thread-safe.
 */
final class MicrometerDeliveryMeters implements DeliveryMeters {

    /** Counter of events delivered or given up on, tag {@code outcome}. */
    static final String SENT = "opskit.notifications.sent";
    /** Counter of failed attempts that were retried. */
    static final String RETRIES = "opskit.notifications.retries";
    /** Counter of events dropped without an attempt, tag {@code reason}. */
    static final String DROPPED = "opskit.notifications.dropped";
    /** Counter of events held back by de-duplication or the rate limit, tag {@code reason}. */
    static final String SUPPRESSED = "opskit.notifications.suppressed";
    /** Gauge of events waiting for delivery. */
    static final String QUEUE_DEPTH = "opskit.notifications.queue.depth";

    private final Map<String, Counter> sent;
    private final Counter retries;
    private final Map<String, Counter> dropped;
    private final Map<String, Counter> suppressed;

    MicrometerDeliveryMeters(Object registryObject, String notifier, IntSupplier depth) {
        MeterRegistry registry = (MeterRegistry) registryObject;
        sent = Map.of(
                DELIVERED, counter(registry, SENT, "Events a notifier delivered or gave up on", notifier,
                        "outcome", DELIVERED),
                FAILED, counter(registry, SENT, "Events a notifier delivered or gave up on", notifier,
                        "outcome", FAILED));
        retries = Counter.builder(RETRIES).description("Failed delivery attempts that were retried")
                .baseUnit("attempts").tag("notifier", notifier).register(registry);
        dropped = Map.of(
                QUEUE_FULL, counter(registry, DROPPED, "Events dropped without a delivery attempt", notifier,
                        "reason", QUEUE_FULL),
                CLOSED, counter(registry, DROPPED, "Events dropped without a delivery attempt", notifier,
                        "reason", CLOSED));
        suppressed = Map.of(
                DUPLICATE, counter(registry, SUPPRESSED, "Events not delivered on their own", notifier,
                        "reason", DUPLICATE),
                RATE_LIMITED, counter(registry, SUPPRESSED, "Events not delivered on their own", notifier,
                        "reason", RATE_LIMITED));
        Gauge.builder(QUEUE_DEPTH, depth, d -> d.getAsInt())
                .description("Events waiting for delivery").baseUnit("events")
                .tag("notifier", notifier).register(registry);
    }

    private static Counter counter(MeterRegistry registry, String name, String description, String notifier,
                                   String tag, String value) {
        return Counter.builder(name).description(description).baseUnit("events")
                .tag("notifier", notifier).tag(tag, value).register(registry);
    }

    @Override
    public void sent(String outcome, int events) {
        known(sent, outcome).increment(events);
    }

    @Override
    public void retried() {
        retries.increment();
    }

    @Override
    public void dropped(String reason, int events) {
        known(dropped, reason).increment(events);
    }

    @Override
    public void suppressed(String reason) {
        known(suppressed, reason).increment();
    }

    /** The counter registered at start for a known label value. */
    private static Counter known(Map<String, Counter> counters, String label) {
        Counter counter = counters.get(label);
        if (counter == null) {
            throw new IllegalArgumentException("not a registered label value: " + label);
        }
        return counter;
    }
}
