/**
 * Opskit DB: statement timing and a slow-statement log, a storage guard that refuses writes at a
 * maximum, diagnostics reports and health checks, maintenance and retention tasks, and a
 * long-running query guard, for SQLite, PostgreSQL and MariaDB/MySQL. Start at
 * {@link io.opskit.db.OpsDb}.
 */
module io.opskit.db {
    requires transitive io.opskit.api;
    requires transitive java.sql;
    requires org.slf4j;
    requires static org.jspecify;
    requires static micrometer.core;
    requires static info.picocli;

    exports io.opskit.db;
    exports io.opskit.db.tasks;
    exports io.opskit.db.diagnostics;

    opens io.opskit.db.cli to info.picocli;
}
