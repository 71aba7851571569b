package io.opskit.db.internal;

import io.opskit.api.Ticker;
import io.opskit.api.internal.DurationText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The shared state of one timed data source: fingerprint cache, bounded series, slow log.
 * Thread-safe; the hot path (a cached SQL string) is one map lookup and no lock.
 */
public final class StatementRecorder {

    /** The fingerprint tag value of statements beyond the cap. */
    public static final String OVERFLOW = "OTHER";

    private static final Logger slowLog = LoggerFactory.getLogger("io.opskit.db.slow");
    private static final int SQL_CACHE_LIMIT = 10_000;

    /** Creates the metric sink of a series. */
    public interface SinkFactory {
        /** A sink for one (system, operation, fingerprint) series. */
        StatementSeries.Sink create(String system, String operation, String fingerprint);

        /** Counts one statement recorded under the overflow fingerprint. */
        void overflow();
    }

    private final Ticker ticker;
    private final long slowNanos;
    private final int maxFingerprints;
    private final @Nullable SinkFactory sinks;
    private volatile String system;
    private final ConcurrentHashMap<String, StatementSeries> bySql = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, StatementSeries> byFingerprint = new ConcurrentHashMap<>();
    private volatile @Nullable StatementSeries overflow;

    public StatementRecorder(Ticker ticker, Duration slowThreshold, int maxFingerprints, String system,
                             @Nullable SinkFactory sinks) {
        this.ticker = ticker;
        this.slowNanos = slowThreshold.toNanos();
        this.maxFingerprints = maxFingerprints;
        this.system = system;
        this.sinks = sinks;
    }

    /** Sets the database system tag once it is known (first connection). */
    public void system(String value) {
        this.system = value;
    }

    /** The database system tag. */
    public String system() {
        return system;
    }

    /** The monotonic clock. */
    public long now() {
        return ticker.read();
    }

    /** The series of a statement, created on first use; beyond the cap, the overflow series. */
    public StatementSeries seriesFor(@Nullable String sql) {
        String text = sql == null ? "" : sql;
        StatementSeries cached = bySql.get(text);
        if (cached != null) {
            return cached;
        }
        String fingerprint = SqlFingerprint.of(text);
        StatementSeries series = byFingerprint.get(fingerprint);
        if (series == null) {
            series = newSeries(fingerprint);
        }
        if (bySql.size() < SQL_CACHE_LIMIT) {
            bySql.putIfAbsent(text, series);
        }
        return series;
    }

    private synchronized StatementSeries newSeries(String fingerprint) {
        StatementSeries existing = byFingerprint.get(fingerprint);
        if (existing != null) {
            return existing;
        }
        if (byFingerprint.size() >= maxFingerprints) {
            return overflowSeries();
        }
        String operation = SqlFingerprint.operation(fingerprint);
        StatementSeries created = new StatementSeries(fingerprint, operation,
                sinks == null ? StatementSeries.Sink.NONE : sinks.create(system, operation, fingerprint));
        byFingerprint.put(fingerprint, created);
        return created;
    }

    private StatementSeries overflowSeries() {
        StatementSeries current = overflow;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (overflow == null) {
                StatementSeries.Sink sink = sinks == null ? StatementSeries.Sink.NONE
                        : sinks.create(system, OVERFLOW, OVERFLOW);
                overflow = new StatementSeries(OVERFLOW, OVERFLOW, sink);
            }
            return overflow;
        }
    }

    /**
     * Records one statement.
     *
     * @param rows rows read or changed, or -1 when unknown
     */
    public void record(StatementSeries series, long startNanos, long rows, boolean failed) {
        long nanos = ticker.read() - startNanos;
        series.record(nanos, failed);
        if (series.fingerprint() == OVERFLOW && sinks != null) {
            sinks.overflow();
        }
        if (nanos >= slowNanos) {
            logSlow(series, nanos, rows, failed);
        }
    }

    private void logSlow(StatementSeries series, long nanos, long rows, boolean failed) {
        String requestId = MDC.get("request_id");
        String traceId = MDC.get("trace_id");
        slowLog.warn("slow statement: {} ms, rows {}, {}fingerprint \"{}\", db {}, request_id {}, trace_id {}",
                nanos / 1_000_000, rows < 0 ? "unknown" : Long.toString(rows), failed ? "failed, " : "",
                series.fingerprint(), system, requestId == null ? "-" : requestId,
                traceId == null ? "-" : traceId);
    }

    /** A snapshot of every series, the overflow series last. */
    public List<StatementSeries> series() {
        List<StatementSeries> all = new ArrayList<>(byFingerprint.values());
        StatementSeries o = overflow;
        if (o != null) {
            all.add(o);
        }
        return all;
    }

    /** The slow threshold as text, for logs. */
    public String slowThresholdText() {
        return DurationText.format(Duration.ofNanos(slowNanos));
    }
}
