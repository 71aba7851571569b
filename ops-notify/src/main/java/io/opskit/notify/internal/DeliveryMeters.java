package io.opskit.notify.internal;

import java.util.function.IntSupplier;

/** What an asynchronous notifier counts; a no-op unless the host gave a registry. */
public interface DeliveryMeters {

    /** Outcome tag values of {@code opskit.notifications.sent}. */
    String DELIVERED = "delivered";
    /** A delivery given up on: a permanent failure or the last attempt failed (dead-lettered). */
    String FAILED = "failed";

    /** Reason tag values of {@code opskit.notifications.dropped}. */
    String QUEUE_FULL = "queue_full";
    /** Dropped because the notifier was closed, or still queued when its drain time ran out. */
    String CLOSED = "closed";

    /** Reason tag values of {@code opskit.notifications.suppressed}. */
    String DUPLICATE = "duplicate";
    /** Held back by the per-source rate limit. */
    String RATE_LIMITED = "rate_limited";

    /** Does nothing. */
    DeliveryMeters NONE = new DeliveryMeters() {
    };

    /** {@code events} were delivered ({@code outcome=delivered}) or given up on ({@code outcome=failed}). */
    default void sent(String outcome, int events) {
    }

    /** One attempt failed and will be retried. */
    default void retried() {
    }

    /** {@code events} were dropped for {@code reason}. */
    default void dropped(String reason, int events) {
    }

    /** One event was not delivered on its own for {@code reason}. */
    default void suppressed(String reason) {
    }

    /**
     * The meters of a notifier named {@code notifier} in {@code registry} (a Micrometer
     * {@code MeterRegistry}, typed as Object so hosts without Micrometer never load it).
     */
    static DeliveryMeters of(@org.jspecify.annotations.Nullable Object registry, String notifier, IntSupplier depth) {
        return registry == null ? NONE : new MicrometerDeliveryMeters(registry, notifier, depth);
    }
}
