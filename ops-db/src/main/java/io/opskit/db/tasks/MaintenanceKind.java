package io.opskit.db.tasks;

import io.opskit.db.DbSystem;
import java.util.Locale;
import java.util.Optional;

/** The maintenance a {@link MaintenanceTask} runs; {@link #wireName()} names it in tasks and the CLI. */
public enum MaintenanceKind {
    /** SQLite {@code PRAGMA optimize}: runs ANALYZE where the planner would gain from it. */
    SQLITE_OPTIMIZE("sqlite.optimize", DbSystem.SQLITE),
    /** SQLite {@code ANALYZE}. */
    SQLITE_ANALYZE("sqlite.analyze", DbSystem.SQLITE),
    /** SQLite {@code VACUUM}, or {@code PRAGMA incremental_vacuum} when auto_vacuum is incremental. */
    SQLITE_VACUUM("sqlite.vacuum", DbSystem.SQLITE),
    /** SQLite {@code REINDEX}. */
    SQLITE_REINDEX("sqlite.reindex", DbSystem.SQLITE),
    /** SQLite {@code PRAGMA quick_check}; fails the task on any problem. */
    SQLITE_QUICK_CHECK("sqlite.quick_check", DbSystem.SQLITE),
    /** SQLite {@code PRAGMA integrity_check}; fails the task on any problem. */
    SQLITE_INTEGRITY_CHECK("sqlite.integrity_check", DbSystem.SQLITE),
    /** PostgreSQL {@code VACUUM (ANALYZE)} per table, most dead tuples first. */
    POSTGRES_VACUUM_ANALYZE("postgres.vacuum_analyze", DbSystem.POSTGRESQL),
    /** PostgreSQL {@code ANALYZE} per table, most changed rows since the last analyze first. */
    POSTGRES_ANALYZE("postgres.analyze", DbSystem.POSTGRESQL),
    /** PostgreSQL {@code REINDEX INDEX CONCURRENTLY} for B-tree indexes over the bloat estimate. */
    POSTGRES_REINDEX("postgres.reindex", DbSystem.POSTGRESQL),
    /** MariaDB/MySQL {@code ANALYZE TABLE} per table. */
    MARIADB_ANALYZE("mariadb.analyze", DbSystem.MARIADB),
    /** MariaDB/MySQL {@code OPTIMIZE TABLE} per table, most free space first. */
    MARIADB_OPTIMIZE("mariadb.optimize", DbSystem.MARIADB);

    private final String wireName;
    private final DbSystem system;

    MaintenanceKind(String wireName, DbSystem system) {
        this.wireName = wireName;
        this.system = system;
    }

    /** The stable name, such as {@code sqlite.vacuum}. */
    public String wireName() {
        return wireName;
    }

    /** The database kind it runs on (MariaDB kinds also run on MySQL). */
    public DbSystem system() {
        return system;
    }

    /** The kind with this wire name (or its short form after the dot), if any. */
    public static Optional<MaintenanceKind> of(DbSystem system, String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (MaintenanceKind k : values()) {
            boolean sameSystem = k.system == system || k.system == DbSystem.MARIADB && system.isMysqlFamily();
            if (k.wireName.equals(n) || sameSystem && k.wireName.endsWith("." + n)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
