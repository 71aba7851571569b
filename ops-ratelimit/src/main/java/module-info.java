/** Opskit Rate Limit: AI-provider guard: rate, concurrency and cost budgets shared across instances. */
module io.opskit.ratelimit {
    requires transitive io.opskit.api;
    requires transitive java.sql;
    requires org.slf4j;
    requires static org.jspecify;
    requires com.fasterxml.jackson.databind;
    requires io.github.resilience4j.circuitbreaker;
    requires io.github.resilience4j.core;
    requires java.net.http;
    requires static micrometer.core;

    exports io.opskit.ratelimit;
    exports io.opskit.ratelimit.budget;
}
