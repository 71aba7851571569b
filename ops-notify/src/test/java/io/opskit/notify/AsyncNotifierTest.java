package io.opskit.notify;

import static io.opskit.notify.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AsyncNotifierTest {

    /** Records what it receives; fails the first {@code failures} calls with {@code failure}. */
    static final class Receiver implements Notifier {
        final List<OpsEvent> received = new CopyOnWriteArrayList<>();
        final List<List<OpsEvent>> batches = new CopyOnWriteArrayList<>();
        final AtomicInteger calls = new AtomicInteger();
        volatile int failures;
        volatile RuntimeException failure = new NotificationException("test", "receiver down (HTTP 503)", true, null);

        @Override
        public void notify(OpsEvent event) {
            if (calls.incrementAndGet() <= failures) {
                throw failure;
            }
            received.add(event);
        }

        @Override
        public void notifyBatch(List<OpsEvent> events) {
            if (calls.incrementAndGet() <= failures) {
                throw failure;
            }
            batches.add(List.copyOf(events));
            received.addAll(events);
        }
    }

    private static Delivery.Builder manual(ManualScheduler s) {
        return Delivery.builder().executor(s).scheduler(s).ticker(s.ticker);
    }

    @Test
    void notify_receiverHangs30s_publisherReturnsAfterEnqueueAndQueueBoundHolds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        Notifier hanging = e -> {
            entered.countDown();
            try {
                // A receiver that would hang 30 s; the test releases it at the end instead of waiting.
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AsyncNotifier async = Notifiers.async("hang", hanging, Delivery.builder().queueCapacity(10)
                .dedupWindow(Duration.ZERO).drainTimeout(Duration.ofMillis(200)).meterRegistry(registry).build());
        try {
            assertThat(async.offer(event("backup:app/db", 0))).isTrue();
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            int accepted = 0;
            for (int i = 1; i < 100; i++) {
                if (async.offer(event("backup:app/db", i))) {
                    accepted++;
                }
            }
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(tookMillis).as("99 publishes while the receiver hangs").isLessThan(2_000);
            assertThat(accepted).isEqualTo(9);
            assertThat(async.queueDepth()).isEqualTo(10);
            assertThat(registry.get("opskit.notifications.dropped").tag("reason", "queue_full").counter().count())
                    .isEqualTo(90);
            assertThat(registry.get("opskit.notifications.queue.depth").gauge().value()).isEqualTo(10);
        } finally {
            long start = System.nanoTime();
            async.close();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).as("close with a hung receiver")
                    .isLessThan(10);
            release.countDown();
        }
    }

    @Test
    void notify_transientFailuresBeyondAttempts_retriesStopAndDeadLetterIsLogged() {
        ManualScheduler s = new ManualScheduler();
        Receiver receiver = new Receiver();
        receiver.failures = Integer.MAX_VALUE;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (LogCapture logs = new LogCapture();
             AsyncNotifier async = Notifiers.async("mail", receiver, manual(s).maxAttempts(3)
                     .backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)).meterRegistry(registry).build())) {
            async.notify(event("backup:app/db", 1));
            assertThat(receiver.calls).hasValue(1);
            s.advance(Duration.ofMillis(999));
            assertThat(receiver.calls).as("backoff not yet over").hasValue(1);
            s.advance(Duration.ofMillis(1));
            assertThat(receiver.calls).hasValue(2);
            s.advance(Duration.ofSeconds(2));
            assertThat(receiver.calls).hasValue(3);
            s.advance(Duration.ofHours(1));

            assertThat(receiver.calls).as("attempts").hasValue(3);
            assertThat(async.queueDepth()).isZero();
            assertThat(logs.lines("io.opskit.notify.deadletter")).singleElement().asString()
                    .startsWith("WARN").contains("after 3 attempts", "backup.failed", "backup:app/db", "failure 1");
            assertThat(registry.get("opskit.notifications.sent").tag("outcome", "failed").counter().count())
                    .isEqualTo(1);
            assertThat(registry.get("opskit.notifications.retries").counter().count()).isEqualTo(2);
        }
    }

    @Test
    void notify_permanentFailure_notRetried() {
        ManualScheduler s = new ManualScheduler();
        Receiver receiver = new Receiver();
        receiver.failures = Integer.MAX_VALUE;
        receiver.failure = new NotificationException("test", "HTTP 400", false, null);
        try (AsyncNotifier async = Notifiers.async("hook", receiver, manual(s).build())) {
            async.notify(event("backup:app/db", 1));
            s.advance(Duration.ofHours(1));
            assertThat(receiver.calls).hasValue(1);
            assertThat(s.pendingTimers()).isZero();
        }
    }

    @Test
    void notify_receiverBrieflyDown_nothingLostAndOrderKept() {
        ManualScheduler s = new ManualScheduler();
        Receiver receiver = new Receiver();
        receiver.failures = 3;
        receiver.failure = new UncheckedIOException(new IOException("Connection refused"));
        try (AsyncNotifier async = Notifiers.async("hook", receiver, manual(s).dedupWindow(Duration.ZERO).build())) {
            for (int i = 0; i < 5; i++) {
                async.notify(event("backup:app/db", i));
            }
            assertThat(receiver.received).isEmpty();
            s.advance(Duration.ofMinutes(1));

            assertThat(receiver.received).extracting(OpsEvent::summary)
                    .containsExactly("failure 0", "failure 1", "failure 2", "failure 3", "failure 4");
            assertThat(async.queueDepth()).isZero();
        }
    }

    @Test
    void notify_rateLimited_firstAtOnceThenNewestWithSuppressedCount() {
        ManualScheduler s = new ManualScheduler();
        Receiver receiver = new Receiver();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (AsyncNotifier async = Notifiers.async("mail", receiver, manual(s).rateLimit(Duration.ofMinutes(10))
                .meterRegistry(registry).build())) {
            for (int i = 1; i <= 5; i++) {
                async.notify(event("health:db", "health.status_changed", Severity.CRITICAL, "change " + i));
                s.advance(Duration.ofMinutes(1));
            }
            async.notify(event("health:cache", "health.status_changed", Severity.WARNING, "other source"));
            assertThat(receiver.received).extracting(OpsEvent::summary).containsExactly("change 1", "other source");

            s.advance(Duration.ofMinutes(5));

            assertThat(receiver.received).hasSize(3);
            OpsEvent flushed = receiver.received.get(2);
            assertThat(flushed.summary()).startsWith("change 5").contains("3 earlier events");
            assertThat(flushed.labels()).containsEntry("suppressed", "3");
            assertThat(registry.get("opskit.notifications.suppressed").tag("reason", "rate_limited").counter()
                    .count()).isEqualTo(3);
        }
    }

    @Test
    void notify_identicalEventsWithinDedupWindow_deliveredOnce() {
        ManualScheduler s = new ManualScheduler();
        Receiver receiver = new Receiver();
        try (AsyncNotifier async = Notifiers.async("mail", receiver, manual(s).dedupWindow(Duration.ofMinutes(5))
                .build())) {
            OpsEvent e = event("backup:app/db", 1);
            async.notify(e);
            async.notify(e);
            s.advance(Duration.ofMinutes(6));
            async.notify(e);

            assertThat(receiver.received).hasSize(2);
            assertThat(receiver.received.get(1).labels()).containsEntry("suppressed", "1");
        }
    }

    @Test
    void notify_batchInterval_oneDigestPerInterval() {
        ManualScheduler s = new ManualScheduler();
        Receiver receiver = new Receiver();
        try (AsyncNotifier async = Notifiers.async("mail", receiver, manual(s).batch(Duration.ofMinutes(15))
                .build())) {
            for (int i = 0; i < 4; i++) {
                async.notify(event("backup:app/" + i, i));
            }
            assertThat(receiver.batches).isEmpty();
            assertThat(async.queueDepth()).isEqualTo(4);
            s.advance(Duration.ofMinutes(15));

            assertThat(receiver.batches).singleElement().asList().hasSize(4);
        }
    }

    @Test
    void close_queuedEvents_drainedBeforeReturning() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Receiver receiver = new Receiver();
        Notifier slowStart = e -> {
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            receiver.notify(e);
        };
        AsyncNotifier async = Notifiers.async("mail", slowStart, Delivery.builder().dedupWindow(Duration.ZERO).build());
        for (int i = 0; i < 20; i++) {
            async.notify(event("backup:app/db", i));
        }
        gate.countDown();
        async.close();

        assertThat(receiver.received).hasSize(20);
        assertThat(async.offer(event("backup:app/db", 99))).as("after close").isFalse();
        async.close();
    }

    @Test
    void notify_canarySecrets_neverReachReceiverOrLogs() {
        ManualScheduler s = new ManualScheduler();
        Receiver receiver = new Receiver();
        receiver.failures = Integer.MAX_VALUE;
        List<String> lines = new ArrayList<>();
        try (LogCapture logs = new LogCapture();
             AsyncNotifier async = Notifiers.async("mail", receiver, manual(s).maxAttempts(2).build())) {
            async.notify(TestEvents.canary());
            s.advance(Duration.ofMinutes(5));
            receiver.failures = 0;
            async.notify(TestEvents.canary());
            lines.addAll(logs.lines());
        }
        assertThat(lines).anyMatch(l -> l.contains("deadletter"));
        assertThat(String.join("\n", lines)).doesNotContain(TestEvents.CANARY_PASSWORD, TestEvents.CANARY_TOKEN);
        assertThat(receiver.received).isNotEmpty();
        assertThat(receiver.received.toString()).doesNotContain(TestEvents.CANARY_PASSWORD, TestEvents.CANARY_TOKEN);
    }

    @Test
    void meterRegistry_given_everyCounterRegisteredAtZero() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (AsyncNotifier async = Notifiers.async("mail", e -> { }, Delivery.builder().meterRegistry(registry).build())) {
            assertThat(registry.get("opskit.notifications.sent").tag("notifier", "mail").counters()).hasSize(2)
                    .allSatisfy(c -> assertThat(c.count()).isZero());
            assertThat(registry.get("opskit.notifications.dropped").counters()).hasSize(2);
            assertThat(registry.get("opskit.notifications.suppressed").counters()).hasSize(2);
            assertThat(registry.get("opskit.notifications.queue.depth").gauge().value()).isZero();
            assertThat(async.name()).isEqualTo("mail");
        }
    }

    @Test
    void builder_badValues_messagesNameFieldAndValue() {
        assertThatThrownBy(() -> Delivery.builder().queueCapacity(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("queueCapacity must be between 1 and 1000000: 0");
        assertThatThrownBy(() -> Delivery.builder().maxAttempts(1).maxAttempts(2))
                .isInstanceOf(IllegalStateException.class).hasMessage("maxAttempts was already set");
        assertThatThrownBy(() -> Delivery.builder().drainTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("drainTimeout").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Delivery.builder().backoff(Duration.ofMinutes(2), Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("backoff initial must not exceed max: PT2M > PT1M");
        assertThatThrownBy(() -> Notifiers.async(" ", e -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("name must not be blank: ' '");
        assertThatThrownBy(() -> Notifiers.async("x", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("delegate");
    }
}
