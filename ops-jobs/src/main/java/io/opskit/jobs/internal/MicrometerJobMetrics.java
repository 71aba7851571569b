package io.opskit.jobs.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opskit.api.jobs.RunOutcome;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The job meters. Prometheus names: {@code opskit_job_runs_total{job,outcome}},
 * {@code opskit_job_duration_seconds{job}}, {@code opskit_job_last_success_timestamp_seconds{job}},
 * {@code opskit_job_running{job}}.
 */
public final class MicrometerJobMetrics implements JobMetrics {

    public static final String RUNS = "opskit.job.runs";
    public static final String DURATION = "opskit.job.duration";
    public static final String LAST_SUCCESS = "opskit.job.last.success.timestamp";
    public static final String RUNNING = "opskit.job.running";

    private record Meters(Map<RunOutcome, Counter> runs, Timer duration, AtomicLong lastSuccessMillis,
                          AtomicLong running) {
    }

    private final MeterRegistry registry;
    private final Map<String, Meters> meters = new ConcurrentHashMap<>();

    public MicrometerJobMetrics(Object registry) {
        this.registry = (MeterRegistry) registry;
    }

    @Override
    public void register(String job) {
        meters.computeIfAbsent(job, j -> {
            Map<RunOutcome, Counter> runs = new EnumMap<>(RunOutcome.class);
            for (RunOutcome o : RunOutcome.values()) {
                if (o != RunOutcome.RUNNING) {
                    runs.put(o, Counter.builder(RUNS).description("Runs of a job by how they ended")
                            .tag("job", j).tag("outcome", o.wireName()).register(registry));
                }
            }
            Timer duration = Timer.builder(DURATION).description("How long runs of a job took, retries included")
                    .tag("job", j).register(registry);
            AtomicLong last = new AtomicLong();
            Gauge.builder(LAST_SUCCESS, last, v -> v.get() / 1000.0)
                    .description("When the last successful run of a job started (0 before the first)")
                    .baseUnit("seconds").tag("job", j).register(registry);
            AtomicLong running = new AtomicLong();
            Gauge.builder(RUNNING, running, AtomicLong::get)
                    .description("1 while a run of a job is in progress on this replica, else 0")
                    .tag("job", j).register(registry);
            return new Meters(runs, duration, last, running);
        });
    }

    @Override
    public void runEnded(String job, RunOutcome outcome, long nanos) {
        Meters m = meters.get(job);
        if (m == null || outcome == RunOutcome.RUNNING) {
            return;
        }
        Objects.requireNonNull(m.runs.get(outcome), "every outcome has a counter").increment();
        if (nanos >= 0) {
            m.duration.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void lastSuccess(String job, Instant at) {
        Meters m = meters.get(job);
        if (m != null) {
            m.lastSuccessMillis.accumulateAndGet(at.toEpochMilli(), Math::max);
        }
    }

    @Override
    public void running(String job, boolean running) {
        Meters m = meters.get(job);
        if (m != null) {
            m.running.set(running ? 1 : 0);
        }
    }
}
