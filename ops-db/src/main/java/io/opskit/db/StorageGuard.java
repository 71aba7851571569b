package io.opskit.db;

import io.micrometer.core.instrument.MeterRegistry;
import io.opskit.api.Ticker;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.internal.ByteSize;
import io.opskit.api.internal.Checks;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import io.opskit.api.task.OpsTask;
import io.opskit.api.task.TaskContext;
import io.opskit.api.task.TaskOutcome;
import io.opskit.db.internal.StorageGauges;
import io.opskit.db.internal.StorageMeasure;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses new writes once a database reaches its maximum size, while reads, health and liveness
 * stay up.
 *
 * <p>The used size is measured per database kind (see {@link StorageUsage#usedBytes()}) and
 * compared with three thresholds: warning (default 5 GB), critical (default 8 GB) and maximum
 * (default 10 GB; decimal units, 10 GB = 10,000,000,000 bytes). {@link #checkWrite()} throws
 * {@link StorageFullException} at the maximum, {@link #tryWrite()} answers {@code false}; both
 * use the last measurement while it is younger than {@link Builder#refreshEvery(Duration)}
 * (default 30 s) and otherwise measure first (one thread measures, others use the last value). A
 * measurement that fails never refuses writes: the guard keeps the last value, logs at WARN once
 * and its health check says so.
 *
 * <p>Each change of level publishes an event ({@code db.storage.warning}, {@code db.storage.critical},
 * {@code db.storage.full}, {@code db.storage.ok}) to every notifier; reaching critical from below
 * runs the {@linkplain Builder#onCritical(OpsTask) critical task} (a retention task, say) on the
 * executor, never twice at once. With a registry: gauges {@code db.storage.used} (bytes),
 * {@code db.storage.limit} (bytes, tag {@code level}) and {@code db.storage.level} (0 ok to 3 full).
 *
 * <p>On SQLite the database itself can refuse writes past the maximum: give every pooled
 * connection {@link #sqliteMaxPageCountPragma(long, long)} as its init SQL. Thread-safe.
 */
public final class StorageGuard implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StorageGuard.class);

    private final String name;
    private final DataSource dataSource;
    private final long warning;
    private final long critical;
    private final long maximum;
    private final long refreshNanos;
    private final Ticker ticker;
    private final Clock clock;
    private final List<Notifier> notifiers;
    private final @Nullable OpsTask onCritical;
    private final Duration taskTimeout;
    private final Executor executor;
    private final @Nullable ExecutorService ownExecutor;
    private final @Nullable ScheduledFuture<?> scheduled;
    private final ReentrantLock measuring = new ReentrantLock();
    private final AtomicBoolean taskRunning = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final @Nullable AutoCloseable gauges;
    private volatile @Nullable StorageUsage last;
    private volatile long lastMeasuredNanos;
    private volatile @Nullable String measureError;
    private volatile StorageLevel level = StorageLevel.OK;
    private volatile @Nullable DbSystem system;

    private StorageGuard(Builder b) {
        this.name = b.name == null ? "database" : b.name;
        this.dataSource = b.dataSource;
        this.warning = b.warning;
        this.critical = b.critical;
        this.maximum = b.maximum;
        this.refreshNanos = (b.refreshEvery == null ? Duration.ofSeconds(30) : b.refreshEvery).toNanos();
        this.ticker = b.ticker == null ? Ticker.system() : b.ticker;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.notifiers = List.copyOf(b.notifiers);
        this.onCritical = b.onCritical;
        this.taskTimeout = b.taskTimeout == null ? Duration.ofHours(1) : b.taskTimeout;
        if (b.executor != null) {
            this.executor = b.executor;
            this.ownExecutor = null;
        } else {
            ExecutorService own = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "opskit-db-storage-" + name);
                t.setDaemon(true);
                return t;
            });
            this.executor = own;
            this.ownExecutor = own;
        }
        this.gauges = b.registry == null ? null : StorageGauges.bind(b.registry, this, name, warning, critical, maximum);
        this.scheduled = b.scheduler == null ? null : b.scheduler.scheduleWithFixedDelay(this::refreshQuietly,
                0, refreshNanos, TimeUnit.NANOSECONDS);
    }

    /** Starts a builder over the database behind {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /**
     * The SQLite statement that makes the database refuse to grow past {@code maximumBytes}
     * ({@code PRAGMA max_page_count = maximumBytes / pageSize}); give it to every pooled connection
     * (HikariCP's {@code connectionInitSql}). SQLite then fails a write that needs a new page
     * with {@code SQLITE_FULL} and leaves the file intact.
     *
     * @param pageSize the database's {@code PRAGMA page_size} (4096 unless changed)
     */
    public static String sqliteMaxPageCountPragma(long maximumBytes, long pageSize) {
        Checks.requirePositive(maximumBytes, "maximumBytes");
        Checks.requirePositive(pageSize, "pageSize");
        return "PRAGMA max_page_count = " + Math.max(1, maximumBytes / pageSize);
    }

    /** The guard's name (used in events, exceptions, gauges). */
    public String name() {
        return name;
    }

    /** The maximum in bytes. */
    public long maximumBytes() {
        return maximum;
    }

    /**
     * Refuses a write when the database is at or above its maximum.
     *
     * @throws StorageFullException when it is; reads are never refused
     */
    public void checkWrite() {
        StorageUsage usage = usage();
        if (usage.level() == StorageLevel.FULL) {
            throw new StorageFullException(name, usage.usedBytes(), maximum);
        }
    }

    /** Whether a write may go ahead (false at the maximum); never throws for a full database. */
    public boolean tryWrite() {
        return usage().level() != StorageLevel.FULL;
    }

    /** The last measurement, measured first when older than the refresh interval. */
    public StorageUsage usage() {
        StorageUsage current = last;
        if (current == null || ticker.read() - lastMeasuredNanos >= refreshNanos) {
            if (measuring.tryLock()) {
                try {
                    return refresh();
                } finally {
                    measuring.unlock();
                }
            }
            if (current == null) {
                measuring.lock();
                try {
                    StorageUsage now = last;
                    return now != null ? now : refresh();
                } finally {
                    measuring.unlock();
                }
            }
        }
        return current;
    }

    /** The last measurement without measuring, if there is one. */
    public Optional<StorageUsage> lastUsage() {
        return Optional.ofNullable(last);
    }

    /**
     * Measures now, updates the level (publishing an event on a change) and returns the result.
     * When the measurement fails, returns the last value (or a zero measurement) and remembers why.
     */
    public StorageUsage refresh() {
        long used;
        try {
            used = measure();
            if (measureError != null) {
                log.info("storage guard {}: size measurement works again", name);
            }
            measureError = null;
        } catch (SQLException | RuntimeException e) {
            if (measureError == null) {
                log.warn("storage guard {}: cannot measure the database size, writes are not refused: {}",
                        name, e.toString());
            }
            measureError = e.getClass().getSimpleName() + (e instanceof SQLException s ? " (SQL state " + s.getSQLState() + ")" : "");
            StorageUsage previous = last;
            lastMeasuredNanos = ticker.read();
            if (previous != null) {
                return previous;
            }
            StorageUsage zero = new StorageUsage(0, StorageLevel.OK, maximum, clock.instant());
            last = zero;
            return zero;
        }
        StorageUsage usage = new StorageUsage(used, levelOf(used), maximum, clock.instant());
        last = usage;
        lastMeasuredNanos = ticker.read();
        changeLevel(usage);
        return usage;
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.debug("storage guard {}: background refresh failed", name, e);
        }
    }

    private long measure() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            DbSystem kind = system;
            if (kind == null) {
                kind = DbSystem.of(c);
                system = kind;
            }
            return StorageMeasure.usedBytes(c, kind);
        }
    }

    StorageLevel levelOf(long used) {
        if (used >= maximum) {
            return StorageLevel.FULL;
        }
        if (used >= critical) {
            return StorageLevel.CRITICAL;
        }
        if (used >= warning) {
            return StorageLevel.WARNING;
        }
        return StorageLevel.OK;
    }

    private synchronized void changeLevel(StorageUsage usage) {
        StorageLevel previous = level;
        StorageLevel now = usage.level();
        if (previous == now) {
            return;
        }
        level = now;
        String summary = "database " + name + " uses " + ByteSize.format(usage.usedBytes()) + ": "
                + now.wireName() + " (warning " + ByteSize.format(warning) + ", critical "
                + ByteSize.format(critical) + ", maximum " + ByteSize.format(maximum) + ")";
        if (now.ordinal() > previous.ordinal()) {
            log.warn("storage guard {}", summary);
        } else {
            log.info("storage guard {}", summary);
        }
        Severity severity = switch (now) {
            case OK -> Severity.INFO;
            case WARNING -> Severity.WARNING;
            case CRITICAL, FULL -> Severity.CRITICAL;
        };
        OpsEvent event = new OpsEvent("db:" + name, "db.storage." + now.wireName(), severity, summary,
                Map.of("level", now.wireName(), "previous", previous.wireName(),
                        "used_bytes", Long.toString(usage.usedBytes()), "maximum_bytes", Long.toString(maximum)),
                usage.measuredAt());
        for (Notifier n : notifiers) {
            try {
                n.notify(event);
            } catch (RuntimeException e) {
                log.warn("storage guard {}: a notifier failed: {}", name, e.toString());
            }
        }
        if (onCritical != null && previous.ordinal() < StorageLevel.CRITICAL.ordinal()
                && now.ordinal() >= StorageLevel.CRITICAL.ordinal()) {
            startCriticalTask(onCritical);
        }
    }

    private void startCriticalTask(OpsTask task) {
        if (closed.get() || !taskRunning.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    TaskOutcome outcome = task.run(TaskContext.standalone(task.name(), taskTimeout, clock));
                    log.info("storage guard {}: critical task {} finished: {}", name, task.name(), outcome.summary());
                } catch (Exception e) {
                    log.warn("storage guard {}: critical task {} failed: {}", name, task.name(), e.toString());
                } finally {
                    taskRunning.set(false);
                }
            });
        } catch (RuntimeException e) {
            taskRunning.set(false);
            log.warn("storage guard {}: cannot start critical task {}: {}", name, task.name(), e.toString());
        }
    }

    /** Whether the critical task is running now. */
    public boolean criticalTaskRunning() {
        return taskRunning.get();
    }

    /**
     * A health check over the last measurement (measuring when stale): UP below warning, DEGRADED
     * at warning, critical and full (a full database still serves reads, so it must not take the
     * instance out of rotation), with {@code writes_refused} in the details; DEGRADED too when
     * the size cannot be measured.
     */
    public HealthCheck healthCheck() {
        return () -> {
            StorageUsage usage = usage();
            String error = measureError;
            HealthStatus status = usage.level() == StorageLevel.OK && error == null ? HealthStatus.UP : HealthStatus.DEGRADED;
            String message = error != null ? "database size cannot be measured: " + error
                    : ByteSize.format(usage.usedBytes()) + " of " + ByteSize.format(maximum) + " ("
                    + usage.level().wireName() + ")";
            return HealthResult.builder(status).message(message)
                    .detail("used_bytes", usage.usedBytes())
                    .detail("maximum_bytes", maximum)
                    .detail("level", usage.level().wireName())
                    .detail("writes_refused", usage.level() == StorageLevel.FULL)
                    .build();
        };
    }

    /** Stops the background refresh and, if the guard created it, its executor. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        if (ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
        if (gauges != null) {
            try {
                gauges.close();
            } catch (Exception e) {
                log.debug("storage guard {}: removing gauges failed", name, e);
            }
        }
    }

    /** Configures a {@link StorageGuard}. Not thread-safe; single-valued properties may be set once. */
    public static final class Builder {
        private static final long DEFAULT_WARNING = 5_000_000_000L;
        private static final long DEFAULT_CRITICAL = 8_000_000_000L;
        private static final long DEFAULT_MAXIMUM = 10_000_000_000L;

        private final DataSource dataSource;
        private @Nullable String name;
        private long warning = -1;
        private long critical = -1;
        private long maximum = -1;
        private @Nullable Duration refreshEvery;
        private @Nullable Ticker ticker;
        private @Nullable Clock clock;
        private final List<Notifier> notifiers = new ArrayList<>();
        private @Nullable Object registry;
        private @Nullable OpsTask onCritical;
        private @Nullable Duration taskTimeout;
        private @Nullable Executor executor;
        private @Nullable ScheduledExecutorService scheduler;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /** The name in events, exceptions and gauges; default {@code database}. */
        public Builder name(String value) {
            Checks.requireUnset(name, "name");
            this.name = Checks.requireNonBlank(value, "name");
            return this;
        }

        /** Writes are refused at or above this many bytes; default 10 GB. */
        public Builder maximum(long bytes) {
            if (maximum >= 0) {
                throw new IllegalStateException("maximum was already set");
            }
            this.maximum = Checks.requirePositive(bytes, "maximum");
            return this;
        }

        /** The warning threshold in bytes; default 5 GB (or half the maximum when that is lower). */
        public Builder warning(long bytes) {
            if (warning >= 0) {
                throw new IllegalStateException("warning was already set");
            }
            this.warning = Checks.requirePositive(bytes, "warning");
            return this;
        }

        /** The critical threshold in bytes; default 8 GB (or 80 % of the maximum when that is lower). */
        public Builder critical(long bytes) {
            if (critical >= 0) {
                throw new IllegalStateException("critical was already set");
            }
            this.critical = Checks.requirePositive(bytes, "critical");
            return this;
        }

        /** How old the last measurement may be before a write check measures again; default 30 s. */
        public Builder refreshEvery(Duration value) {
            Checks.requireUnset(refreshEvery, "refreshEvery");
            this.refreshEvery = Checks.requirePositive(value, "refreshEvery");
            return this;
        }

        /** The monotonic clock for the refresh interval; default {@link Ticker#system()}. */
        public Builder ticker(Ticker value) {
            Checks.requireUnset(ticker, "ticker");
            this.ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        /** The wall clock for measurement times and events; default UTC system clock. */
        public Builder clock(Clock value) {
            Checks.requireUnset(clock, "clock");
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Adds a notifier that hears every level change; repeatable. */
        public Builder notifier(Notifier value) {
            notifiers.add(Objects.requireNonNull(value, "notifier"));
            return this;
        }

        /** Registers the storage gauges; without a registry nothing is recorded. */
        public Builder meterRegistry(MeterRegistry value) {
            Checks.requireUnset(registry, "meterRegistry");
            this.registry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /** A task to run when the level reaches critical from below (a retention task, say). */
        public Builder onCritical(OpsTask task) {
            Checks.requireUnset(onCritical, "onCritical");
            this.onCritical = Objects.requireNonNull(task, "onCritical");
            return this;
        }

        /** The deadline given to the critical task; default 1 h. */
        public Builder taskTimeout(Duration value) {
            Checks.requireUnset(taskTimeout, "taskTimeout");
            this.taskTimeout = Checks.requirePositive(value, "taskTimeout");
            return this;
        }

        /** Where the critical task runs; default a daemon thread the guard owns and stops on close. */
        public Builder executor(Executor value) {
            Checks.requireUnset(executor, "executor");
            this.executor = Objects.requireNonNull(value, "executor");
            return this;
        }

        /** Fires a background refresh every refresh interval; default none (measured on demand). */
        public Builder scheduler(ScheduledExecutorService value) {
            Checks.requireUnset(scheduler, "scheduler");
            this.scheduler = Objects.requireNonNull(value, "scheduler");
            return this;
        }

        /**
         * Builds the running guard.
         *
         * @throws IllegalArgumentException when warning is not below critical or critical is above maximum
         */
        public StorageGuard build() {
            if (maximum < 0) {
                maximum = DEFAULT_MAXIMUM;
            }
            if (critical < 0) {
                critical = Math.min(DEFAULT_CRITICAL, maximum * 8 / 10);
            }
            if (warning < 0) {
                warning = Math.min(DEFAULT_WARNING, Math.min(maximum / 2, critical));
            }
            if (warning > critical) {
                throw new IllegalArgumentException("warning must not be above critical: "
                        + ByteSize.format(warning) + " > " + ByteSize.format(critical));
            }
            if (critical > maximum) {
                throw new IllegalArgumentException("critical must not be above maximum: "
                        + ByteSize.format(critical) + " > " + ByteSize.format(maximum));
            }
            return new StorageGuard(this);
        }
    }
}
