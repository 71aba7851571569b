package io.opskit.metrics;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges for a HikariCP pool that work whether or not the pool has started, so they cannot be
 * wired too late.
 *
 * <p>{@link #bindTo(MeterRegistry)} always registers, tagged {@code pool}: {@value #ACTIVE},
 * {@value #IDLE}, {@value #PENDING}, {@value #TOTAL}, {@value #MAX} and {@value #USAGE}
 * (active / max), read from the pool MXBean at each scrape (0 until the pool starts). When the pool
 * has not started and has no metrics tracker yet, it also installs HikariCP's own Micrometer tracker,
 * which adds the {@code hikaricp.connections.*} acquire, usage and creation timers; once the pool
 * has started that is no longer possible and the MXBean gauges carry on alone.
 *
 * <p>The gauges hold this object and the pool strongly, so {@code HikariPoolMetrics.of(ds).bindTo(registry)}
 * without keeping the result still reports (the registry alone holds gauge objects weakly).
 *
 * <p>Requires {@code com.zaxxer:HikariCP} on the class path. Thread-safe.
 */
public final class HikariPoolMetrics implements MeterBinder {

    /** Connections lent to the application. */
    public static final String ACTIVE = "db.pool.connections.active";
    /** Connections open and free. */
    public static final String IDLE = "db.pool.connections.idle";
    /** Threads waiting for a connection. */
    public static final String PENDING = "db.pool.connections.pending";
    /**
     * Connections open. Not {@code ...connections.total}: Prometheus keeps {@code _total} for
     * counters, so the registry dropped the suffix and the gauge appeared as {@code db_pool_connections}.
     */
    public static final String TOTAL = "db.pool.connections.open";
    /** The pool's maximum size. */
    public static final String MAX = "db.pool.connections.max";
    /** Active connections over the maximum, 0 to 1. */
    public static final String USAGE = "db.pool.usage.ratio";

    private static final Logger log = LoggerFactory.getLogger(HikariPoolMetrics.class);

    private final HikariDataSource dataSource;
    private final @Nullable String prefix;
    private volatile boolean trackerInstalled;

    private HikariPoolMetrics(HikariDataSource dataSource, @Nullable String prefix) {
        this.dataSource = dataSource;
        this.prefix = prefix;
    }

    /**
     * Metrics for {@code dataSource}, started or not.
     *
     * @throws NullPointerException when {@code dataSource} is null
     */
    public static HikariPoolMetrics of(HikariDataSource dataSource) {
        return new HikariPoolMetrics(Objects.requireNonNull(dataSource, "dataSource"), null);
    }

    /**
     * These metrics with a prefix for the gauges' names: {@code chatbot} makes
     * {@code chatbot.db.pool.usage.ratio} ({@code chatbot_db_pool_usage_ratio}, the operations manual's
     * name). HikariCP's own {@code hikaricp.*} meters keep their names. Give
     * {@link MetricsExport.Builder#metricPrefix(String)} the same prefix so that the generated rules
     * and dashboard read them.
     *
     * @throws IllegalArgumentException when not 1 to 32 lower-case letters, digits and {@code _}
     *                                  starting with a letter
     * @throws IllegalStateException    when these metrics already have a prefix
     */
    public HikariPoolMetrics withMetricPrefix(String prefix) {
        return new HikariPoolMetrics(dataSource, MetricPrefix.check(prefix, this.prefix));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        String pool = poolName();
        gauge(registry, ACTIVE, "Connections lent to the application", pool, HikariPoolMXBean::getActiveConnections);
        gauge(registry, IDLE, "Connections open and free", pool, HikariPoolMXBean::getIdleConnections);
        gauge(registry, PENDING, "Threads waiting for a connection", pool, HikariPoolMXBean::getThreadsAwaitingConnection);
        gauge(registry, TOTAL, "Connections open", pool, HikariPoolMXBean::getTotalConnections);
        Gauge.builder(MetricPrefix.meter(prefix, MAX), dataSource, HikariDataSource::getMaximumPoolSize)
                .description("The pool's maximum size").tag("pool", pool).strongReference(true).register(registry);
        Gauge.builder(MetricPrefix.meter(prefix, USAGE), this, m -> m.snapshot().usageRatio())
                .description("Active connections over the maximum").tag("pool", pool).strongReference(true)
                .register(registry);
        installTracker(registry);
    }

    private void installTracker(MeterRegistry registry) {
        if (dataSource.isRunning() || dataSource.getMetricsTrackerFactory() != null
                || dataSource.getMetricRegistry() != null) {
            log.debug("pool {} already started or tracked; using its MXBean only", poolName());
            return;
        }
        try {
            dataSource.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
            trackerInstalled = true;
        } catch (IllegalStateException e) {
            // The pool started between the check and the call: the MXBean gauges still work.
            log.debug("pool {} sealed while binding; using its MXBean only", poolName());
        }
    }

    /** Whether {@link #bindTo} could install HikariCP's own Micrometer tracker (pool not yet started). */
    public boolean trackerInstalled() {
        return trackerInstalled;
    }

    /** The pool's current state; all zero before it starts. */
    public PoolSnapshot snapshot() {
        HikariPoolMXBean bean = mxBean();
        int max = dataSource.getMaximumPoolSize();
        if (bean == null) {
            return new PoolSnapshot(poolName(), 0, 0, 0, 0, max, 0, false);
        }
        int active = bean.getActiveConnections();
        return new PoolSnapshot(poolName(), bean.getTotalConnections(), active, bean.getIdleConnections(),
                bean.getThreadsAwaitingConnection(), max, max > 0 ? (double) active / max : 0, true);
    }

    private void gauge(MeterRegistry registry, String name, String description, String pool,
                       ToIntFunction<HikariPoolMXBean> read) {
        Gauge.builder(MetricPrefix.meter(prefix, name), this, m -> {
            HikariPoolMXBean bean = m.mxBean();
            return bean == null ? 0 : read.applyAsInt(bean);
        }).description(description).tag("pool", pool).strongReference(true).register(registry);
    }

    private @Nullable HikariPoolMXBean mxBean() {
        return dataSource.isClosed() ? null : dataSource.getHikariPoolMXBean();
    }

    private String poolName() {
        String name = dataSource.getPoolName();
        return name == null ? "default" : name;
    }
}
