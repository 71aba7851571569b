package io.opskit.api.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The SQL databases whose tables Opskit's JDBC stores keep (the job lock, the budget store), how
 * one is recognised from JDBC metadata, and the SQL that differs between them. One detection for
 * every module, so that a database that one store accepts is accepted by the others.
 */
public enum SqlDialect {
    /** PostgreSQL. */
    POSTGRESQL("PostgreSQL", "postgresql"),
    /** MariaDB, or MySQL (one dialect for the statements the stores run). */
    MARIADB("MariaDB/MySQL", "mariadb"),
    /** SQLite. */
    SQLITE("SQLite", "sqlite");

    /** The databases in words, for a message refusing another one. */
    public static final String SUPPORTED = "PostgreSQL, MariaDB/MySQL or SQLite";

    private final String displayName;
    private final String resourceName;

    SqlDialect(String displayName, String resourceName) {
        this.displayName = displayName;
        this.resourceName = resourceName;
    }

    /**
     * The dialect of a JDBC {@code DatabaseMetaData.getDatabaseProductName()}.
     *
     * @return the dialect, or empty for a database no Opskit store supports
     */
    public static Optional<SqlDialect> fromProductName(String product) {
        String p = Objects.requireNonNull(product, "product").toLowerCase(Locale.ROOT);
        if (p.contains("postgres")) {
            return Optional.of(POSTGRESQL);
        }
        if (p.contains("mariadb") || p.contains("mysql")) {
            return Optional.of(MARIADB);
        }
        if (p.contains("sqlite")) {
            return Optional.of(SQLITE);
        }
        return Optional.empty();
    }

    /**
     * The dialect of the database behind {@code connection}.
     *
     * @return the dialect, or empty for a database no Opskit store supports
     * @throws SQLException when the metadata cannot be read
     */
    public static Optional<SqlDialect> of(Connection connection) throws SQLException {
        return fromProductName(connection.getMetaData().getDatabaseProductName());
    }

    /** @return the name for messages, such as {@code "MariaDB/MySQL"} */
    public String displayName() {
        return displayName;
    }

    /** @return the lower-case base name of this dialect's schema files, such as {@code "postgresql"} */
    public String resourceName() {
        return resourceName;
    }

    /** @return an SQL expression for the database's current time in epoch milliseconds (a BIGINT) */
    public String nowMillis() {
        return switch (this) {
            case POSTGRESQL -> "(CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT))";
            case MARIADB -> "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6)) DIV 1000)";
            case SQLITE -> "(CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER))";
        };
    }

    /**
     * An INSERT that does nothing when the row's key exists.
     *
     * @param table            the table
     * @param columnsAndValues {@code "(a, b) VALUES (?, ?)"} or {@code "(a, b) SELECT ..."}
     * @return the statement
     */
    public String insertIfAbsent(String table, String columnsAndValues) {
        return this == MARIADB
                ? "INSERT IGNORE INTO " + table + " " + columnsAndValues
                : "INSERT INTO " + table + " " + columnsAndValues + " ON CONFLICT DO NOTHING";
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

    /**
     * Whether a retry of the whole transaction can cure {@code e} (or a cause of it): a
     * serialization failure or deadlock (SQLSTATE class 40), PostgreSQL's lock-not-available
     * ({@code 55P03}), MariaDB's deadlock (1213) or lock wait timeout (1205), SQLite's busy or
     * locked (5, 6 and their extended codes).
     */
    public boolean isTransient(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("40") || state.equals("55P03"))) {
                    return true;
                }
                int code = sql.getErrorCode();
                if (this == MARIADB && (code == 1213 || code == 1205)) {
                    return true;
                }
                if (this == SQLITE && ((code & 0xff) == 5 || (code & 0xff) == 6)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The statements of a schema script: lines starting with {@code --} and blank lines dropped,
     * a statement ending at a line that ends with {@code ;} (which is cut off).
     *
     * @param script the script's text
     * @return the statements, in order
     */
    public static List<String> statements(String script) {
        StringBuilder current = new StringBuilder();
        List<String> statements = new ArrayList<>();
        for (String line : script.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("--") || trimmed.isEmpty()) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                String statement = current.toString().strip();
                statements.add(statement.substring(0, statement.length() - 1).strip());
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().strip());
        }
        return statements;
    }
}
