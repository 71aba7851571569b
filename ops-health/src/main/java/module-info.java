/** Opskit Health: Parallel, deadline-bound health checks, built-in checks and endpoint rendering. */
module io.opskit.health {
    requires transitive io.opskit.api;
    requires static org.jspecify;

    // exports io.opskit.health; (added with the module's entry point)
}
