/**
 * Opskit Metrics: request-metrics middleware with bounded tag cardinality, HikariCP and Caffeine
 * gauges, SLOs with error budgets and burn rates, threshold alerts, and generated Prometheus rules
 * and Grafana dashboard, the operations manuals' alert pack, and a deploy gate. Start at
 * {@link io.opskit.metrics.OpsMetrics}.
 */
module io.opskit.metrics {
    requires transitive io.opskit.api;
    requires transitive micrometer.core;
    requires org.slf4j;
    requires java.net.http;
    requires transitive jdk.httpserver;
    requires static org.jspecify;
    requires static com.zaxxer.hikari;
    requires static com.github.benmanes.caffeine;
    requires static jakarta.servlet;
    requires static java.sql;
    requires static java.management;
    requires static info.picocli;

    exports io.opskit.metrics;
    exports io.opskit.metrics.httpserver;
    exports io.opskit.metrics.servlet;

    opens io.opskit.metrics.cli to info.picocli;
}
