package io.opskit.db.internal;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opskit.db.StorageGuard;
import io.opskit.db.StorageUsage;
import java.util.ArrayList;
import java.util.List;

/** The storage guard's gauges; loaded only when a registry is given. */
public final class StorageGauges {

    private StorageGauges() {
    }

    /** Registers the gauges; the returned handle removes them. */
    public static AutoCloseable bind(Object registryObject, StorageGuard guard, String name, long warning,
                                     long critical, long maximum) {
        MeterRegistry registry = (MeterRegistry) registryObject;
        List<Meter> meters = new ArrayList<>();
        meters.add(Gauge.builder("db.storage.used", guard,
                        g -> g.lastUsage().map(StorageUsage::usedBytes).orElse(0L).doubleValue())
                .description("Bytes the database uses, as last measured by the storage guard")
                .baseUnit("bytes").tag("db.name", name).strongReference(true).register(registry));
        meters.add(limit(registry, name, "warning", warning));
        meters.add(limit(registry, name, "critical", critical));
        meters.add(limit(registry, name, "maximum", maximum));
        meters.add(Gauge.builder("db.storage.level", guard,
                        g -> g.lastUsage().map(u -> u.level().ordinal()).orElse(0).doubleValue())
                .description("Storage level: 0 ok, 1 warning, 2 critical, 3 full (writes refused)")
                .tag("db.name", name).strongReference(true).register(registry));
        return () -> meters.forEach(registry::remove);
    }

    private static Meter limit(MeterRegistry registry, String name, String level, long bytes) {
        return Gauge.builder("db.storage.limit", () -> bytes)
                .description("The storage guard's thresholds in bytes")
                .baseUnit("bytes").tag("db.name", name).tag("level", level).register(registry);
    }
}
