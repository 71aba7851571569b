/**
 * Opskit Backup: verified, encrypted, crash-safe backups of SQLite, PostgreSQL, Redis and files,
 * with retention, restore through per-kind strategies and a CLI. Start at {@link io.opskit.backup.BackupRepository#builder()}.
 */
module io.opskit.backup {
    requires transitive io.opskit.api;
    requires static org.jspecify;
    requires org.slf4j;
    requires com.fasterxml.jackson.databind;
    requires static com.github.luben.zstd_jni; // optional: only zstd compression needs it
    requires static org.xerial.sqlitejdbc;
    requires java.sql;
    requires static micrometer.core;
    requires static info.picocli;

    exports io.opskit.backup;
    exports io.opskit.backup.retention;
    exports io.opskit.backup.health;
    exports io.opskit.backup.tasks;
    exports io.opskit.backup.pitr;

    opens io.opskit.backup.cli to info.picocli;

    // Stores named by URI scheme (s3://...) come from extension modules such as ops-backup-s3.
    uses io.opskit.backup.BackupStoreProvider;

    // Restore strategies of extensions' own source kinds (see io.opskit.api.backup.RestoreStrategy).
    uses io.opskit.api.backup.RestoreStrategy;
}
