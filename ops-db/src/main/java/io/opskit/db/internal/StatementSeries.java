package io.opskit.db.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything recorded for one fingerprint: in-process counters (always, so a host without a
 * registry still has figures) and the metric sink (a no-op without a registry). Thread-safe.
 */
public final class StatementSeries {

    /** Where one series' durations go; implemented over Micrometer when a registry is given. */
    public interface Sink {
        /** Records one statement's duration in nanoseconds. */
        void record(long nanos, boolean failed);

        /** A sink that records nothing. */
        Sink NONE = (nanos, failed) -> { };
    }

    private final String fingerprint;
    private final String operation;
    private final Sink sink;
    private final LongAdder count = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final AtomicLong maxNanos = new AtomicLong();

    StatementSeries(String fingerprint, String operation, Sink sink) {
        this.fingerprint = fingerprint;
        this.operation = operation;
        this.sink = sink;
    }

    /** The fingerprint (or the overflow marker). */
    public String fingerprint() {
        return fingerprint;
    }

    /** The operation name. */
    public String operation() {
        return operation;
    }

    void record(long nanos, boolean failed) {
        count.increment();
        totalNanos.add(nanos);
        if (failed) {
            errors.increment();
        }
        long max = maxNanos.get();
        while (nanos > max && !maxNanos.compareAndSet(max, nanos)) {
            max = maxNanos.get();
        }
        sink.record(nanos, failed);
    }

    /** Statements recorded. */
    public long count() {
        return count.sum();
    }

    /** Statements that threw. */
    public long errors() {
        return errors.sum();
    }

    /** Total time in nanoseconds. */
    public long totalNanos() {
        return totalNanos.sum();
    }

    /** The longest time in nanoseconds. */
    public long maxNanos() {
        return maxNanos.get();
    }
}
