/** Opskit Rate Limit: AI-provider guard: rate, concurrency and cost budgets shared across instances. */
module io.opskit.ratelimit {
    requires transitive io.opskit.api;
    requires transitive java.sql;
    requires org.slf4j;
    requires static org.jspecify;

    // exports io.opskit.ratelimit; (added with the module's entry point)
    exports io.opskit.ratelimit.budget;
}
