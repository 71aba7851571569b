package io.opskit.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Objects;

/**
 * The database kinds Opskit DB knows. {@link #wireName()} is the OpenTelemetry
 * {@code db.system.name} value (semantic conventions for database client spans and metrics).
 */
public enum DbSystem {
    /** SQLite (the xerial driver). */
    SQLITE("sqlite"),
    /** PostgreSQL. */
    POSTGRESQL("postgresql"),
    /** MariaDB. */
    MARIADB("mariadb"),
    /** MySQL. */
    MYSQL("mysql"),
    /** Anything else: timing works, diagnostics and tasks refuse with {@link OpsDbError#UNSUPPORTED_DATABASE}. */
    OTHER("other_sql");

    private final String wireName;

    DbSystem(String wireName) {
        this.wireName = wireName;
    }

    /** The stable lowercase name used in metric tags, JSON and logs. */
    public String wireName() {
        return wireName;
    }

    /**
     * The kind of the database behind a connection, from its product name (and, for MySQL-protocol
     * servers, its version string, since MariaDB's driver may report "MySQL").
     *
     * @throws SQLException when the metadata cannot be read
     */
    public static DbSystem of(Connection connection) throws SQLException {
        Objects.requireNonNull(connection, "connection");
        var meta = connection.getMetaData();
        String product = meta.getDatabaseProductName().toLowerCase(Locale.ROOT);
        if (product.contains("sqlite")) {
            return SQLITE;
        }
        if (product.contains("postgres")) {
            return POSTGRESQL;
        }
        if (product.contains("mariadb")) {
            return MARIADB;
        }
        if (product.contains("mysql")) {
            String version = meta.getDatabaseProductVersion().toLowerCase(Locale.ROOT);
            return version.contains("mariadb") ? MARIADB : MYSQL;
        }
        return OTHER;
    }

    /**
     * The kind a JDBC URL names ({@code jdbc:sqlite:}, {@code jdbc:postgresql:},
     * {@code jdbc:mariadb:}, {@code jdbc:mysql:}), or {@link #OTHER}.
     */
    public static DbSystem ofUrl(String jdbcUrl) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        String url = jdbcUrl.toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (url.startsWith("jdbc:mariadb:")) {
            return MARIADB;
        }
        if (url.startsWith("jdbc:mysql:")) {
            return MYSQL;
        }
        return OTHER;
    }

    /** Whether this is MariaDB or MySQL (one dialect for what Opskit DB runs). */
    public boolean isMysqlFamily() {
        return this == MARIADB || this == MYSQL;
    }
}
