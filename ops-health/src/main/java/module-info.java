/**
 * Opskit Health: parallel, deadline-bound health checks, built-in checks and endpoint rendering.
 * Start at {@link io.opskit.health.OpsHealth#builder()}.
 */
module io.opskit.health {
    requires transitive io.opskit.api;
    requires transitive java.sql;
    requires transitive java.net.http;
    requires jdk.management;
    requires org.slf4j;
    requires static org.jspecify;
    requires static jdk.httpserver;
    requires static micrometer.core;
    requires static com.zaxxer.hikari;
    requires static jakarta.servlet;

    exports io.opskit.health;
    exports io.opskit.health.checks;
    exports io.opskit.health.servlet;
}
