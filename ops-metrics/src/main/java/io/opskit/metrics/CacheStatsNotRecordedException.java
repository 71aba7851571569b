package io.opskit.metrics;

/**
 * Refusal to bind gauges to a Caffeine cache built without {@code recordStats()}: its hit ratio
 * would read 0 forever and hide a cold cache. Build the cache with
 * {@code Caffeine.newBuilder().recordStats()}.
 */
public final class CacheStatsNotRecordedException extends IllegalStateException {

    private final String cacheName;

    /** @param cacheName the name the cache was to be bound under */
    public CacheStatsNotRecordedException(String cacheName) {
        super("cache '" + cacheName + "' does not record statistics: build it with Caffeine.newBuilder()"
                + ".recordStats() before binding its metrics");
        this.cacheName = cacheName;
    }

    /** The name the cache was to be bound under. */
    public String cacheName() {
        return cacheName;
    }
}
