package io.opskit.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import io.opskit.notify.internal.EventTemplate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** Invariants of the rate limiter, the queue bound and the template parser. */
class DeliveryProperties {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Property(tries = 200)
    void rateLimit_anyArrivals_atMostOnePerWindowAndLatestStateAlwaysArrives(
            @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 3) Integer> sources,
            @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 400) Integer> gapSeconds) {
        ManualScheduler s = new ManualScheduler();
        List<OpsEvent> got = new CopyOnWriteArrayList<>();
        Map<String, List<Long>> deliveredAt = new HashMap<>();
        Notifier receiver = e -> {
            got.add(e);
            deliveredAt.computeIfAbsent(e.source(), k -> new ArrayList<>()).add(s.ticker.read());
        };
        Duration window = Duration.ofMinutes(5);
        int published = 0;
        Map<String, String> lastPublished = new HashMap<>();
        try (AsyncNotifier async = Notifiers.async("p", receiver, Delivery.builder().executor(s).scheduler(s)
                .ticker(s.ticker).rateLimit(window).dedupWindow(Duration.ofMinutes(1)).build())) {
            for (int i = 0; i < sources.size(); i++) {
                String source = "health:c" + sources.get(i);
                String summary = "state " + (i % 3);
                async.notify(new OpsEvent(source, "health.status_changed", Severity.WARNING, summary, Map.of(),
                        Instant.EPOCH));
                published++;
                lastPublished.put(source, summary);
                s.advance(Duration.ofSeconds(i < gapSeconds.size() ? gapSeconds.get(i) : 1));
            }
            s.advance(window.multipliedBy(2));
        }
        for (List<Long> times : deliveredAt.values()) {
            for (int i = 1; i < times.size(); i++) {
                assertThat(times.get(i) - times.get(i - 1)).isGreaterThanOrEqualTo(window.toNanos());
            }
        }
        long accounted = got.stream().mapToLong(e -> 1 + Long.parseLong(e.labels().getOrDefault("suppressed", "0")))
                .sum();
        assertThat(accounted).as("delivered plus suppressed counts").isLessThanOrEqualTo(published);
        lastPublished.forEach((source, summary) -> assertThat(got.stream().filter(e -> e.source().equals(source))
                .reduce((a, b) -> b).orElseThrow().summary()).as("latest state of %s", source).startsWith(summary));
    }

    @Property(tries = 50)
    void queue_anyBurstWhileReceiverStuck_depthNeverAboveCapacity(
            @ForAll @IntRange(min = 1, max = 20) int capacity, @ForAll @IntRange(min = 0, max = 80) int burst) {
        ManualScheduler s = new ManualScheduler();
        Receiver stuck = new Receiver();
        try (AsyncNotifier async = Notifiers.async("q", stuck, Delivery.builder().executor(s).scheduler(s)
                .ticker(s.ticker).queueCapacity(capacity).dedupWindow(Duration.ZERO).drainTimeout(Duration.ofMillis(1))
                .build())) {
            int accepted = 0;
            for (int i = 0; i < burst; i++) {
                if (async.offer(TestEvents.event("backup:app/db", i))) {
                    accepted++;
                }
                assertThat(async.queueDepth()).isLessThanOrEqualTo(capacity);
            }
            assertThat(accepted).isEqualTo(Math.min(burst, capacity));
        }
    }

    /** Fails transiently forever: everything stays queued until close. */
    static final class Receiver implements Notifier {
        @Override
        public void notify(OpsEvent event) {
            throw new NotificationException("q", "down", true, null);
        }
    }

    @Property(tries = 300)
    void template_anySummaryAndLabel_rendersValidJsonWithTheExactValues(
            @ForAll @StringLength(max = 40) String summary, @ForAll @StringLength(max = 20) String label) throws Exception {
        EventTemplate t = EventTemplate.parse("{\"s\":\"{summary}\",\"l\":\"{label.k}\",\"all\":{labels}}",
                EventTemplate.Escape.JSON, "template");
        OpsEvent e = new OpsEvent("src", "type", Severity.INFO, summary, Map.of("k", label), Instant.EPOCH);

        var node = JSON.readTree(t.render(e, ""));

        assertThat(node.get("s").asText()).isEqualTo(summary);
        assertThat(node.get("l").asText()).isEqualTo(label);
        assertThat(node.get("all").get("k").asText()).isEqualTo(label);
    }

    @Property(tries = 300)
    void template_anyText_parsesOrNamesTheUnknownPlaceholder(@ForAll @StringLength(max = 30) String text) {
        try {
            EventTemplate t = EventTemplate.parse(text, EventTemplate.Escape.PLAIN, "link");
            assertThat(t.text()).isEqualTo(text);
        } catch (IllegalArgumentException ex) {
            assertThat(ex.getMessage()).startsWith("link has an unknown placeholder {");
        }
    }
}
