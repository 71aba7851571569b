package io.opskit.db;

import io.micrometer.core.instrument.MeterRegistry;
import io.opskit.api.Ticker;
import io.opskit.api.internal.Checks;
import io.opskit.db.internal.MicrometerSinks;
import io.opskit.db.internal.StatementRecorder;
import io.opskit.db.internal.StatementSeries;
import io.opskit.db.internal.TimingProxies;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A {@link DataSource} that times every statement run through its connections.
 *
 * <p>Each statement is recorded under a fingerprint (the SQL with every literal and bind marker
 * replaced by {@code ?}); at most {@link Builder#maxFingerprints(int)} distinct fingerprints get
 * their own series, later ones are recorded as {@code OTHER} and counted by {@value #FINGERPRINT_OVERFLOW}.
 * Parameter values are never read. With a meter registry, durations go to the {@value #DURATION}
 * timer (OpenTelemetry's stable database client metric name) with histogram buckets at
 * 1, 5, 10, 25, 50, 100, 200 and 500 ms and 1, 2, 5 and 10 s, tagged {@value #TAG_SYSTEM},
 * {@value #TAG_OPERATION}, {@value #TAG_FINGERPRINT} and {@value #TAG_OUTCOME}. Without one,
 * {@link #statementStats()} still has the figures. A statement at or over the slow threshold
 * (default 100 ms) writes one WARN line to the logger {@code io.opskit.db.slow} with its
 * fingerprint, duration, rows and the MDC's {@code request_id} and {@code trace_id}.
 *
 * <p>A query is timed from its execution until its result set is closed, so reading the rows
 * counts; batches count as one statement with the sum of the rows changed. Thread-safe as the
 * wrapped data source is; the wrapper adds no lock on the statement path.
 */
public final class TimedDataSource implements DataSource {

    /** The statement duration timer. */
    public static final String DURATION = "db.client.operation.duration";
    /** Counter of statements recorded under {@code OTHER} because the fingerprint cap was reached. */
    public static final String FINGERPRINT_OVERFLOW = "db.client.operation.fingerprint.overflow";
    /** Tag: the database system ({@link DbSystem#wireName()}). */
    public static final String TAG_SYSTEM = "db.system";
    /** Tag: the operation name ({@code SELECT}, {@code INSERT}, ..., {@code OTHER}). */
    public static final String TAG_OPERATION = "db.operation.name";
    /** Tag: the bounded statement fingerprint. */
    public static final String TAG_FINGERPRINT = "db.query.fingerprint";
    /** Tag: {@code success} or {@code error}. */
    public static final String TAG_OUTCOME = "outcome";
    /** The fingerprint of statements beyond the cap. */
    public static final String OTHER = StatementRecorder.OVERFLOW;

    private final DataSource delegate;
    private final StatementRecorder recorder;
    private final boolean systemKnown;
    private volatile boolean systemDetected;

    private final @Nullable MicrometerSinks sinks;

    private TimedDataSource(DataSource delegate, StatementRecorder recorder, boolean systemKnown,
                            @Nullable MicrometerSinks sinks) {
        this.delegate = delegate;
        this.recorder = recorder;
        this.systemKnown = systemKnown;
        this.sinks = sinks;
    }

    /** Starts a builder over {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /** The wrapped data source. */
    public DataSource delegate() {
        return delegate;
    }

    /** The database system recorded in tags ({@code other_sql} until the first connection when not set). */
    public String dbSystem() {
        return recorder.system();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(delegate.getConnection(username, password));
    }

    /**
     * A timed view of a connection obtained elsewhere, recorded like this data source's own.
     *
     * @param connection an open connection; closing the view closes it
     */
    public Connection wrap(Connection connection) throws SQLException {
        Objects.requireNonNull(connection, "connection");
        if (!systemKnown && !systemDetected) {
            recorder.system(DbSystem.of(connection).wireName());
            systemDetected = true;
            if (sinks != null) {
                sinks.start();
            }
        }
        return TimingProxies.connection(connection, recorder);
    }

    /** The figures of every fingerprint so far, longest total time first. Never null. */
    public List<StatementStats> statementStats() {
        List<StatementStats> out = new ArrayList<>();
        for (StatementSeries s : recorder.series()) {
            out.add(new StatementStats(s.fingerprint(), s.operation(), s.count(), s.errors(),
                    Duration.ofNanos(s.totalNanos()), Duration.ofNanos(s.maxNanos())));
        }
        out.sort(Comparator.comparing(StatementStats::total).reversed());
        return out;
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        if (iface.isInstance(delegate)) {
            return iface.cast(delegate);
        }
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || iface.isInstance(delegate) || delegate.isWrapperFor(iface);
    }

    /** Configures a {@link TimedDataSource}. Not thread-safe; each property may be set once. */
    public static final class Builder {
        private final DataSource dataSource;
        private @Nullable DbSystem system;
        private @Nullable Object registry;
        private @Nullable Duration slowThreshold;
        private int maxFingerprints;
        private @Nullable Ticker ticker;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /** The database system for tags; detected from the first connection when not set. */
        public Builder dbSystem(DbSystem value) {
            Checks.requireUnset(system, "dbSystem");
            this.system = Objects.requireNonNull(value, "dbSystem");
            return this;
        }

        /** Where durations are recorded; without one, nothing is recorded in Micrometer. */
        public Builder meterRegistry(MeterRegistry value) {
            Checks.requireUnset(registry, "meterRegistry");
            this.registry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /** Statements taking at least this long are logged at WARN; default 100 ms. */
        public Builder slowThreshold(Duration value) {
            Checks.requireUnset(slowThreshold, "slowThreshold");
            this.slowThreshold = Checks.requirePositive(value, "slowThreshold");
            return this;
        }

        /** The most distinct fingerprints with a series of their own; default 200, at most 10,000. */
        public Builder maxFingerprints(int value) {
            if (maxFingerprints != 0) {
                throw new IllegalStateException("maxFingerprints was already set");
            }
            if (value < 1 || value > 10_000) {
                throw new IllegalArgumentException("maxFingerprints must be between 1 and 10000: " + value);
            }
            this.maxFingerprints = value;
            return this;
        }

        /** The monotonic clock statements are timed with; default {@link Ticker#system()}. */
        public Builder ticker(Ticker value) {
            Checks.requireUnset(ticker, "ticker");
            this.ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        /** Builds the timed data source. */
        public TimedDataSource build() {
            String systemName = system == null ? DbSystem.OTHER.wireName() : system.wireName();
            StatementRecorder[] holder = new StatementRecorder[1];
            MicrometerSinks sinks = registry == null ? null : new MicrometerSinks(registry, () -> holder[0].system());
            StatementRecorder recorder = new StatementRecorder(ticker == null ? Ticker.system() : ticker,
                    slowThreshold == null ? Duration.ofMillis(100) : slowThreshold,
                    maxFingerprints == 0 ? 200 : maxFingerprints, systemName, sinks);
            holder[0] = recorder;
            if (sinks != null && system != null) {
                sinks.start();
            }
            return new TimedDataSource(dataSource, recorder, system != null, sinks);
        }
    }
}
