/** Opskit Metrics: Request metrics middleware, pool and cache gauges, SLOs with error budgets, alert rules. */
module io.opskit.metrics {
    requires transitive io.opskit.api;
    requires static org.jspecify;

    // exports io.opskit.metrics; (added with the module's entry point)
}
