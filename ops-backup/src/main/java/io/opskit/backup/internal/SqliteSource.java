package io.opskit.backup.internal;

import io.opskit.api.backup.BackupSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

/**
 * A SQLite database snapshot through the SQLite online backup API: all pages are copied in one step
 * under one read transaction, so the copy is one committed state even while other connections write
 * (in WAL mode writers are not blocked). The copy goes to a temporary file next to the database,
 * is streamed out, then deleted.
 */
public final class SqliteSource implements BackupSource, SizeHint {

    private final String name;
    private final Path database;

    /** Creates the source. */
    public SqliteSource(String name, Path database) {
        this.name = name;
        this.database = database.toAbsolutePath();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "sqlite";
    }

    @Override
    public long expectedBytes() {
        try {
            return Files.size(database);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The database file. */
    public Path database() {
        return database;
    }

    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        if (!Files.isRegularFile(database)) {
            throw new IOException("SQLite database " + database + " does not exist");
        }
        Path snapshot = Files.createTempFile(database.getParent(), "." + database.getFileName() + ".snapshot-", ".tmp");
        try {
            snapshotTo(database, snapshot);
            try (InputStream in = Files.newInputStream(snapshot)) {
                byte[] buffer = new byte[1 << 20];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
            }
        } finally {
            Files.deleteIfExists(snapshot);
            Files.deleteIfExists(snapshot.resolveSibling(snapshot.getFileName() + "-journal"));
        }
    }

    /** Copies the live database at {@code source} into {@code target} (overwritten). */
    public static void snapshotTo(Path source, Path target) throws IOException {
        // The copy is a scratch file that is streamed out and deleted: it needs no journal and no
        // fsync, so the backup API runs into a connection on it configured that way, pulling from
        // the live database (opened read-only by the API, a plain reader alongside the writers).
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(30_000);
        config.setSynchronous(SQLiteConfig.SynchronousMode.OFF);
        config.setJournalMode(SQLiteConfig.JournalMode.OFF);
        try (Connection connection = config.createConnection("jdbc:sqlite:" + target)) {
            // -1 pages per step: one step, one read transaction, never restarted by concurrent writers.
            int rc = connection.unwrap(SQLiteConnection.class).getDatabase()
                    .restore("main", source.toString(), null, 100, 300, -1);
            if (rc != 0 && rc != 101) {
                throw new IOException("SQLite backup of " + source + " failed with code " + rc);
            }
        } catch (SQLException e) {
            throw new IOException("SQLite snapshot of " + source + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code PRAGMA integrity_check} on a database file.
     *
     * @return "ok" or the first problems reported
     */
    public static String integrityCheck(Path file) throws IOException {
        return check(file, "integrity_check");
    }

    /**
     * Opens a database file read-only and confirms that it is one: its schema reads, and its page
     * count times its page size is the file's size (a truncated or padded file fails).
     *
     * @return "ok" or what is wrong
     */
    public static String openCheck(Path file) throws IOException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        try (Connection connection = config.createConnection("jdbc:sqlite:" + file);
             java.sql.Statement statement = connection.createStatement()) {
            long pageSize = single(statement, "PRAGMA page_size");
            long pageCount = single(statement, "PRAGMA page_count");
            single(statement, "SELECT count(*) FROM sqlite_schema");
            long size = java.nio.file.Files.size(file);
            if (pageSize * pageCount != size) {
                return "the header describes " + pageCount + " pages of " + pageSize + " bytes, the file holds "
                        + size + " bytes";
            }
            return "ok";
        } catch (SQLException e) {
            return "not a usable SQLite database: " + e.getMessage();
        }
    }

    private static long single(java.sql.Statement statement, String sql) throws SQLException {
        try (java.sql.ResultSet rows = statement.executeQuery(sql)) {
            if (!rows.next()) {
                throw new SQLException(sql + " returned no row");
            }
            return rows.getLong(1);
        }
    }

    /**
     * Runs a checking pragma ({@code integrity_check} or {@code quick_check}) on a database file.
     *
     * @return "ok" or the first problems reported
     */
    public static String check(Path file, String pragma) throws IOException {
        if (!pragma.equals("integrity_check") && !pragma.equals("quick_check")) {
            throw new IllegalArgumentException("not a checking pragma: " + pragma);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        try (Connection connection = config.createConnection("jdbc:sqlite:" + file);
             java.sql.Statement statement = connection.createStatement();
             java.sql.ResultSet rows = statement.executeQuery("PRAGMA " + pragma)) {
            StringBuilder result = new StringBuilder();
            while (rows.next() && result.length() < 500) {
                if (result.length() > 0) {
                    result.append("; ");
                }
                result.append(rows.getString(1));
            }
            return result.toString();
        } catch (SQLException e) {
            return "not a usable SQLite database: " + e.getMessage();
        }
    }
}
