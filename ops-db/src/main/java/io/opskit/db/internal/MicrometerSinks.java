package io.opskit.db.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opskit.db.TimedDataSource;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The Micrometer side of statement timing; loaded only when a host gives a registry. */
public final class MicrometerSinks implements StatementRecorder.SinkFactory {

    /** Bucket bounds aligned with the usual query-time objectives (50 ms target, 100 ms slow, 200 ms alert). */
    static final Duration[] SLO_BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10)
    };

    private final MeterRegistry registry;
    private final java.util.function.Supplier<String> system;
    private volatile @org.jspecify.annotations.Nullable Counter overflow;

    /**
     * @param registry a {@code MeterRegistry} (typed as Object so that callers need not load Micrometer)
     * @param system   the current database system tag
     */
    public MicrometerSinks(Object registry, java.util.function.Supplier<String> system) {
        this.registry = (MeterRegistry) registry;
        this.system = system;
    }

    /** Registers the overflow counter at zero; called once the system tag is known. */
    public void start() {
        overflowCounter();
    }

    private Counter overflowCounter() {
        Counter c = overflow;
        if (c == null) {
            c = Counter.builder(TimedDataSource.FINGERPRINT_OVERFLOW)
                    .description("Statements recorded with fingerprint OTHER because the fingerprint cap was reached")
                    .tag(TimedDataSource.TAG_SYSTEM, system.get())
                    .register(registry);
            overflow = c;
        }
        return c;
    }

    @Override
    public StatementSeries.Sink create(String system, String operation, String fingerprint) {
        Timer ok = timer(system, operation, fingerprint, "success");
        Timer failed = timer(system, operation, fingerprint, "error");
        return (nanos, error) -> (error ? failed : ok).record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(String system, String operation, String fingerprint, String outcome) {
        return Timer.builder(TimedDataSource.DURATION)
                .description("Duration of database statements, from execution until the result set is closed")
                .tag(TimedDataSource.TAG_SYSTEM, system)
                .tag(TimedDataSource.TAG_OPERATION, operation)
                .tag(TimedDataSource.TAG_FINGERPRINT, fingerprint)
                .tag(TimedDataSource.TAG_OUTCOME, outcome)
                .serviceLevelObjectives(SLO_BUCKETS)
                .register(registry);
    }

    @Override
    public void overflow() {
        overflowCounter().increment();
    }
}
