/**
 * Opskit contracts: the value types and service-provider interfaces through which the
 * Opskit modules, and third-party extensions, meet. This module has no runtime dependency.
 */
module io.opskit.api {
    requires static org.jspecify;
    // Only io.opskit.api.internal.SqlDialect uses JDBC types, and only the modules with JDBC stores
    // (which require java.sql themselves) call it: a host without JDBC needs no java.sql.
    requires static java.sql;

    exports io.opskit.api;
    exports io.opskit.api.health;
    exports io.opskit.api.backup;
    exports io.opskit.api.budget;
    exports io.opskit.api.notify;
    exports io.opskit.api.task;
    exports io.opskit.api.jobs;

    // Shared helpers for the sibling modules only; not API. Add a new module here.
    exports io.opskit.api.internal to
            io.opskit.health,
            io.opskit.metrics,
            io.opskit.ratelimit,
            io.opskit.backup,
            io.opskit.backup.s3,
            io.opskit.jobs,
            io.opskit.db,
            io.opskit.notify;
}
