package io.opskit.db.internal;

import io.opskit.db.DbSystem;
import io.opskit.db.OpsDbError;
import io.opskit.db.OpsDbException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The used-size query of each database kind. */
public final class StorageMeasure {

    private StorageMeasure() {
    }

    /** The SQL that answers the used bytes of the current database. */
    public static String sql(DbSystem system) {
        return switch (system) {
            case SQLITE -> "SELECT (p.page_count - f.freelist_count) * s.page_size"
                    + " FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s";
            case POSTGRESQL -> "SELECT pg_database_size(current_database())";
            case MARIADB, MYSQL -> "SELECT COALESCE(SUM(data_length + index_length), 0)"
                    + " FROM information_schema.tables WHERE table_schema = DATABASE()";
            case OTHER -> throw new OpsDbException(OpsDbError.UNSUPPORTED_DATABASE, system.wireName(),
                    "cannot measure the size of this database kind", "use SQLite, PostgreSQL or MariaDB/MySQL", null);
        };
    }

    /** Measures the used bytes. */
    public static long usedBytes(Connection connection, DbSystem system) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.setQueryTimeout(10);
            try (ResultSet rs = s.executeQuery(sql(system))) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }
}
