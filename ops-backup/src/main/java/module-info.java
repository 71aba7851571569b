/** Opskit Backup: Verified, encrypted, crash-safe backups with retention, restore and a CLI. */
module io.opskit.backup {
    requires transitive io.opskit.api;
    requires static org.jspecify;

    // exports io.opskit.backup; (added with the module's entry point)
}
