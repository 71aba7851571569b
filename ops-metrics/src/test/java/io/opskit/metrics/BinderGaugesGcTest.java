package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Micrometer registries hold a gauge's object weakly. A binder bound without the host keeping it
 * ({@code X.of(...).bindTo(registry)}, the usual {@code MeterBinder} idiom) was collected at the next
 * garbage collection and its gauges read NaN: the TLS expiry alert then never fired. Regression test
 * for the NaN that {@code AlertPackTest} saw now and then.
 */
class BinderGaugesGcTest {

    @TempDir
    Path dir;

    /** Runs collections until an object nothing refers to is gone, so weakly held ones are too. */
    private static void collectGarbage() {
        WeakReference<Object> sentinel = new WeakReference<>(new Object());
        for (int i = 0; i < 50 && sentinel.get() != null; i++) {
            System.gc();
        }
        assertThat(sentinel.get()).as("a collection ran").isNull();
    }

    @Test
    void bindTo_binderNotKept_gaugesStillReadAfterGarbageCollection() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        var certificate = AlertPackTest.certificate();
        TlsCertificateGauges.of("api", () -> List.of(certificate)).bindTo(registry);
        try (HikariDataSource ds = new HikariDataSource()) {
            ds.setPoolName("unkept");
            ds.setJdbcUrl("jdbc:sqlite:" + dir.resolve("unkept.db"));
            ds.setMaximumPoolSize(4);
            HikariPoolMetrics.of(ds).bindTo(registry);
            SloTracker.builder().clock(Clock.systemUTC()).slo(Slo.availability("api", 0.999)).build().bindTo(registry);

            collectGarbage();

            assertThat(registry.get(TlsCertificateGauges.EXPIRY).tag("certificate", "api").gauge().value())
                    .isEqualTo(1.953806311E9);
            assertThat(registry.get(HikariPoolMetrics.MAX).tag("pool", "unkept").gauge().value()).isEqualTo(4.0);
            assertThat(registry.get(HikariPoolMetrics.USAGE).tag("pool", "unkept").gauge().value()).isEqualTo(0.0);
            assertThat(registry.get(SloTracker.SLI).tag("slo", "api").gauge().value()).isEqualTo(1.0);
        }
    }
}
