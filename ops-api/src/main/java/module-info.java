/**
 * Opskit contracts: the value types and service-provider interfaces through which the
 * Opskit modules, and third-party extensions, meet. This module has no runtime dependency.
 */
module io.opskit.api {
    requires static org.jspecify;

    exports io.opskit.api;
    exports io.opskit.api.health;
    exports io.opskit.api.backup;
    exports io.opskit.api.budget;
    exports io.opskit.api.notify;
}
