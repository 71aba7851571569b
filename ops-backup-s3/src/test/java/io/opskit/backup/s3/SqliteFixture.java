package io.opskit.backup.s3;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Random;

/** A real SQLite database file with rows of incompressible payload. */
final class SqliteFixture {

    private SqliteFixture() {
    }

    /** Adds {@code rows} rows of {@code payload} random bytes each. */
    static void create(Path db, int rows, int payload) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, v BLOB)");
            c.setAutoCommit(false);
            Random random = new Random(rows);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO t(v) VALUES (?)")) {
                for (int i = 0; i < rows; i++) {
                    byte[] b = new byte[payload];
                    random.nextBytes(b);
                    insert.setBytes(1, b);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            c.commit();
        }
    }

    static long count(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
            r.next();
            return r.getLong(1);
        }
    }
}
