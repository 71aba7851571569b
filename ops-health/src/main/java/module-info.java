/**
 * Opskit Health: parallel, deadline-bound health checks, built-in checks and endpoint rendering.
 * Start at {@link io.opskit.health.OpsHealth#builder()}.
 */
module io.opskit.health {
    requires transitive io.opskit.api;
    requires transitive java.sql;
    requires transitive java.net.http;
    requires jdk.management;
    requires com.github.benmanes.caffeine;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires static org.jspecify;
    requires static transitive jdk.httpserver;
    requires static transitive micrometer.core;
    requires static transitive com.zaxxer.hikari;
    requires static transitive jakarta.servlet;

    exports io.opskit.health;
    exports io.opskit.health.checks;
    exports io.opskit.health.servlet;
}
