package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class CaffeineCacheGaugesTest {

    @Test
    void bindTo_recordingCache_exposesHitRatioAndStats() {
        Cache<String, String> cache = Caffeine.newBuilder().maximumSize(100).recordStats().build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CaffeineCacheGauges.of(cache, "users").bindTo(registry);
        cache.put("a", "1");
        for (int i = 0; i < 9; i++) {
            cache.getIfPresent("a");
        }
        cache.getIfPresent("missing");
        assertThat(registry.get(CaffeineCacheGauges.HIT_RATIO).tag("cache", "users").gauge().value()).isEqualTo(0.9);
        assertThat(registry.get("cache.gets").tags("cache", "users", "result", "hit").functionCounter().count())
                .isEqualTo(9);
    }

    @Test
    void of_cacheWithoutRecordStats_refusesWithHowToFix() {
        Cache<String, String> cache = Caffeine.newBuilder().maximumSize(100).build();
        assertThatThrownBy(() -> CaffeineCacheGauges.of(cache, "sessions"))
                .isInstanceOf(CacheStatsNotRecordedException.class)
                .hasMessage("cache 'sessions' does not record statistics: build it with Caffeine.newBuilder()"
                        + ".recordStats() before binding its metrics");
    }

    @Test
    void of_blankName_namesField() {
        Cache<String, String> cache = Caffeine.newBuilder().recordStats().build();
        assertThatThrownBy(() -> CaffeineCacheGauges.of(cache, " ")).hasMessage("name must not be blank: ' '");
    }
}
