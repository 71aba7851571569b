package io.opskit.ratelimit.budget;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** The SQL differences between the databases the JDBC store supports. */
enum Dialect {

    POSTGRESQL("PostgreSQL", "postgresql.sql", "INSERT INTO", " ON CONFLICT DO NOTHING"),
    MARIADB("MariaDB/MySQL", "mariadb.sql", "INSERT IGNORE INTO", ""),
    SQLITE("SQLite", "sqlite.sql", "INSERT INTO", " ON CONFLICT DO NOTHING");

    private final String displayName;
    private final String schemaFile;
    private final String insertIfAbsent;
    private final String insertIfAbsentSuffix;

    Dialect(String displayName, String schemaFile, String insertIfAbsent, String insertIfAbsentSuffix) {
        this.displayName = displayName;
        this.schemaFile = schemaFile;
        this.insertIfAbsent = insertIfAbsent;
        this.insertIfAbsentSuffix = insertIfAbsentSuffix;
    }

    /** Picks the dialect from the JDBC product name. */
    static Dialect fromProductName(String productName) throws SQLException {
        String name = productName.toLowerCase(Locale.ROOT);
        if (name.contains("postgres")) {
            return POSTGRESQL;
        }
        if (name.contains("mariadb") || name.contains("mysql")) {
            return MARIADB;
        }
        if (name.contains("sqlite")) {
            return SQLITE;
        }
        throw new SQLException("unsupported database '" + productName
                + "': the budget store supports PostgreSQL, MariaDB/MySQL and SQLite");
    }

    String displayName() {
        return displayName;
    }

    /** An insert of {@code columnsAndValues} that does nothing when the primary key exists. */
    String insertIfAbsent(String table, String columnsAndValues) {
        return insertIfAbsent + " " + table + " " + columnsAndValues + insertIfAbsentSuffix;
    }

    /** Where the dialect's schema script lives on the class path. */
    String schemaResource() {
        return "/io/opskit/ratelimit/budget/schema/" + schemaFile;
    }

    /** The schema script's statements with the table prefix filled in, comments removed. */
    List<String> schemaStatements(String tablePrefix) {
        String script;
        try (InputStream in = Objects.requireNonNull(
                Dialect.class.getResourceAsStream(schemaResource()), schemaResource())) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder current = new StringBuilder();
        List<String> statements = new ArrayList<>();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("--") || trimmed.isEmpty()) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                String statement = current.toString().strip();
                statements.add(statement.substring(0, statement.length() - 1).replace("${prefix}", tablePrefix));
                current.setLength(0);
            }
        }
        return statements;
    }

    /**
     * True for errors that a retry of the whole transaction can cure: deadlock, serialization
     * failure, lock wait timeout, SQLite busy or locked.
     */
    boolean isTransient(SQLException e) {
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
                // SQLITE_BUSY = 5, SQLITE_LOCKED = 6, and their extended codes
                if (this == SQLITE && ((code & 0xff) == 5 || (code & 0xff) == 6)) {
                    return true;
                }
            }
        }
        return false;
    }
}
