package io.opskit.backup;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;

/** Small real SQLite databases for tests. */
final class TestDb {

    private TestDb() {
    }

    static Connection open(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA busy_timeout=10000");
        }
        return c;
    }

    /** Creates a database with {@code rows} rows of about 100 bytes each. */
    static void create(Path file, int rows) throws SQLException {
        try (Connection c = open(file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
            c.setAutoCommit(false);
            Random random = new Random(rows);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO notes(body) VALUES (?)")) {
                for (int i = 0; i < rows; i++) {
                    insert.setString(1, "note " + i + " " + Long.toHexString(random.nextLong()) + " the quick brown fox jumps over");
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            c.commit();
        }
    }

    static long count(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM notes")) {
            r.next();
            return r.getLong(1);
        }
    }

    static long maxId(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT coalesce(max(id), 0) FROM notes")) {
            r.next();
            return r.getLong(1);
        }
    }
}
