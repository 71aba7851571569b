package io.opskit.jobs.internal;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The SQL that differs between the databases the JDBC job lock supports. */
public enum Dialect {
    POSTGRESQL("PostgreSQL", "postgresql", "(CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT))",
            "INSERT INTO %s %s ON CONFLICT DO NOTHING", "SET LOCAL synchronous_commit TO OFF"),
    MARIADB("MariaDB/MySQL", "mariadb", "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6)) DIV 1000)",
            "INSERT IGNORE INTO %s %s", null),
    SQLITE("SQLite", "sqlite", "(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER))",
            "INSERT INTO %s %s ON CONFLICT DO NOTHING", null);

    private final String displayName;
    private final String schemaName;
    private final String nowMillis;
    private final String insertIfAbsent;
    private final @Nullable String historyCommit;

    Dialect(String displayName, String schemaName, String nowMillis, String insertIfAbsent,
            @Nullable String historyCommit) {
        this.displayName = displayName;
        this.schemaName = schemaName;
        this.nowMillis = nowMillis;
        this.insertIfAbsent = insertIfAbsent;
        this.historyCommit = historyCommit;
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

    /**
     * An INSERT that replaces the row when its key exists: one statement where a DELETE then an
     * INSERT would be two round trips.
     *
     * @param table   the table
     * @param key     the primary-key column
     * @param columns the columns, {@code key} first; one {@code ?} each, in this order
     * @return the statement
     */
    public String upsert(String table, String key, List<String> columns) {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (")
                .append(String.join(", ", columns)).append(") VALUES (")
                .append(String.join(", ", Collections.nCopies(columns.size(), "?"))).append(')');
        sql.append(this == MARIADB ? " ON DUPLICATE KEY UPDATE " : " ON CONFLICT (" + key + ") DO UPDATE SET ");
        String sep = "";
        for (String column : columns) {
            if (!column.equals(key)) {
                sql.append(sep).append(column).append(" = ")
                        .append(this == MARIADB ? "VALUES(" + column + ")" : "excluded." + column);
                sep = ", ";
            }
        }
        return sql.toString();
    }

    /** @return an INSERT of {@code columnsAndValues} into {@code table} that does nothing when the key exists */
    public String insertIfAbsent(String table, String columnsAndValues) {
        return String.format(Locale.ROOT, insertIfAbsent, table, columnsAndValues);
    }

    /**
     * The statement that opens a history transaction when the database can commit it without
     * waiting for its log to reach the disk, for that transaction only (PostgreSQL's
     * {@code SET LOCAL synchronous_commit TO OFF}). Leases never use it.
     *
     * @return the statement, or empty when every commit waits
     */
    public Optional<String> historyCommit() {
        return Optional.ofNullable(historyCommit);
    }
}
