package io.opskit.metrics;

import com.github.benmanes.caffeine.cache.Cache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.util.Objects;

/**
 * Binds a Caffeine cache's statistics (Micrometer's {@code cache.gets}, {@code cache.puts},
 * {@code cache.evictions}, {@code cache.size}, ...) and adds {@value #HIT_RATIO}, the hit ratio since
 * the cache was built (the operations manuals' "cache hit rate &gt; 90 %").
 *
 * <p>Refuses, when created, a cache that does not record statistics. Requires
 * {@code com.github.ben-manes.caffeine:caffeine} on the class path. Thread-safe.
 */
public final class CaffeineCacheGauges implements MeterBinder {

    /** The hit-ratio gauge's name, tagged {@code cache}. */
    public static final String HIT_RATIO = "cache.hit.ratio";

    private final Cache<?, ?> cache;
    private final String name;

    private CaffeineCacheGauges(Cache<?, ?> cache, String name) {
        this.cache = cache;
        this.name = name;
    }

    /**
     * Gauges for {@code cache}, tagged {@code cache=name}.
     *
     * @throws CacheStatsNotRecordedException when the cache was built without {@code recordStats()}
     * @throws IllegalArgumentException       when {@code name} is blank
     */
    public static CaffeineCacheGauges of(Cache<?, ?> cache, String name) {
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank: '" + name + "'");
        }
        if (!cache.policy().isRecordingStats()) {
            throw new CacheStatsNotRecordedException(name);
        }
        return new CaffeineCacheGauges(cache, name);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        new CaffeineCacheMetrics<>(cache, name, Tags.empty()).bindTo(registry);
        Gauge.builder(HIT_RATIO, cache, c -> c.stats().hitRate())
                .description("Cache hits over requests since the cache was built; 1 before any request")
                .tag("cache", name)
                .register(registry);
    }

    /** The hit ratio since the cache was built, 0 to 1 (1 before any request, as Caffeine reports). */
    public double hitRatio() {
        return cache.stats().hitRate();
    }
}
