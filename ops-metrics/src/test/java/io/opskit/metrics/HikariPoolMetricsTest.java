package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HikariPoolMetricsTest {

    @TempDir
    Path dir;

    private HikariConfig config(String name) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl("jdbc:sqlite:" + dir.resolve(name + ".db"));
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        return config;
    }

    private double gauge(SimpleMeterRegistry registry, String name, String pool) {
        return registry.get(name).tag("pool", pool).gauge().value();
    }

    @Test
    void bindTo_poolNotStarted_installsTrackerAndGaugesFollowPool() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HikariDataSource ds = new HikariDataSource();
        HikariConfig config = config("lazy");
        config.copyStateTo(ds);
        HikariPoolMetrics metrics = HikariPoolMetrics.of(ds);
        metrics.bindTo(registry);
        try (ds) {
            assertThat(metrics.trackerInstalled()).isTrue();
            assertThat(metrics.snapshot().started()).isFalse();
            assertThat(gauge(registry, HikariPoolMetrics.ACTIVE, "lazy")).isZero();
            try (Connection c = ds.getConnection()) {
                assertThat(c.isValid(1)).isTrue();
                assertThat(gauge(registry, HikariPoolMetrics.ACTIVE, "lazy")).isEqualTo(1);
                assertThat(gauge(registry, HikariPoolMetrics.USAGE, "lazy")).isEqualTo(0.25);
                assertThat(registry.find("hikaricp.connections.active").tag("pool", "lazy").gauge()).isNotNull();
                PoolSnapshot snapshot = metrics.snapshot();
                assertThat(snapshot.checkedOut()).isEqualTo(1);
                assertThat(snapshot.toJson()).contains("\"pool\":\"lazy\"").contains("\"checked_out\":1")
                        .contains("\"usage_ratio\":0.25").contains("\"max\":4");
            }
        }
    }

    @Test
    void bindTo_poolAlreadyStarted_usesMxBean() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (HikariDataSource ds = new HikariDataSource(config("eager"))) {
            HikariPoolMetrics metrics = HikariPoolMetrics.of(ds);
            metrics.bindTo(registry);
            assertThat(metrics.trackerInstalled()).isFalse();
            try (Connection a = ds.getConnection(); Connection b = ds.getConnection()) {
                assertThat(a).isNotSameAs(b);
                assertThat(gauge(registry, HikariPoolMetrics.ACTIVE, "eager")).isEqualTo(2);
                assertThat(gauge(registry, HikariPoolMetrics.MAX, "eager")).isEqualTo(4);
                assertThat(gauge(registry, HikariPoolMetrics.TOTAL, "eager")).isGreaterThanOrEqualTo(2);
                assertThat(gauge(registry, HikariPoolMetrics.PENDING, "eager")).isZero();
                assertThat(gauge(registry, HikariPoolMetrics.USAGE, "eager")).isEqualTo(0.5);
            }
            assertThat(gauge(registry, HikariPoolMetrics.IDLE, "eager")).isGreaterThanOrEqualTo(2);
        }
    }
}
