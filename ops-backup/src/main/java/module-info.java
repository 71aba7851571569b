/** Opskit Backup: Verified, encrypted, crash-safe backups with retention, restore and a CLI. */
module io.opskit.backup {
    requires transitive io.opskit.api;
    requires static org.jspecify;
    requires org.slf4j;

    // exports io.opskit.backup; (added with the module's entry point)
    exports io.opskit.backup.retention;
    exports io.opskit.backup.schedule;
    exports io.opskit.backup.health;
}
