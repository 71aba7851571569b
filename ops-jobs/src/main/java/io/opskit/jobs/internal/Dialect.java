package io.opskit.jobs.internal;

import java.util.Locale;

/** The SQL that differs between the databases the JDBC job lock supports. */
public enum Dialect {
    POSTGRESQL("PostgreSQL", "postgresql", "(CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT))",
            "INSERT INTO %s %s ON CONFLICT DO NOTHING"),
    MARIADB("MariaDB/MySQL", "mariadb", "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6)) DIV 1000)",
            "INSERT IGNORE INTO %s %s"),
    SQLITE("SQLite", "sqlite", "(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER))",
            "INSERT INTO %s %s ON CONFLICT DO NOTHING");

    private final String displayName;
    private final String schemaName;
    private final String nowMillis;
    private final String insertIfAbsent;

    Dialect(String displayName, String schemaName, String nowMillis, String insertIfAbsent) {
        this.displayName = displayName;
        this.schemaName = schemaName;
        this.nowMillis = nowMillis;
        this.insertIfAbsent = insertIfAbsent;
    }

    /**
     * The dialect of a JDBC product name.
     *
     * @throws IllegalArgumentException naming the product when it is not supported
     */
    public static Dialect fromProductName(String product) {
        String p = product.toLowerCase(Locale.ROOT);
        if (p.contains("postgres")) {
            return POSTGRESQL;
        }
        if (p.contains("mariadb") || p.contains("mysql")) {
            return MARIADB;
        }
        if (p.contains("sqlite")) {
            return SQLITE;
        }
        throw new IllegalArgumentException("database must be PostgreSQL, MariaDB/MySQL or SQLite: '" + product + "'");
    }

    /** @return the name for messages */
    public String displayName() {
        return displayName;
    }

    /** @return the class-path resource of the schema */
    public String schemaResource() {
        return "/io/opskit/jobs/schema/" + schemaName + ".sql";
    }

    /** @return an SQL expression for the database's current time in epoch milliseconds */
    public String nowMillis() {
        return nowMillis;
    }

    /** @return an INSERT of {@code columnsAndValues} into {@code table} that does nothing when the key exists */
    public String insertIfAbsent(String table, String columnsAndValues) {
        return String.format(Locale.ROOT, insertIfAbsent, table, columnsAndValues);
    }
}
