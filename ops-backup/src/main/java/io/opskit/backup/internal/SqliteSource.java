package io.opskit.backup.internal;

import io.opskit.api.backup.BackupSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

/**
 * A SQLite database snapshot through the SQLite online backup API: all pages are copied in one step
 * under one read transaction, so the copy is one committed state even while other connections write
 * (in WAL mode writers are not blocked). The copy goes to a temporary file in the scratch directory
 * (by default the database's own directory), is checked (its page count times its page size is its
 * size, and {@code PRAGMA quick_check} passes), streamed out, then deleted. The scratch directory's
 * free space is checked first. Copies left by a killed process are removed by the next snapshot.
 */
public final class SqliteSource implements BackupSource, SizeHint {

    private static final Logger log = LoggerFactory.getLogger(SqliteSource.class);
    /** Room kept free beyond the copy itself: SQLite's own temporary files and the file system's. */
    static final long FREE_SPACE_MARGIN = 1 << 20;

    private final String name;
    private final Path database;
    private final @Nullable Path scratchDirectory;

    /** Creates the source, with its scratch copy beside the database. */
    public SqliteSource(String name, Path database) {
        this(name, database, null);
    }

    /** Creates the source, with its scratch copy in {@code scratchDirectory} (null: beside the database). */
    public SqliteSource(String name, Path database, @Nullable Path scratchDirectory) {
        this.name = name;
        this.database = database.toAbsolutePath();
        this.scratchDirectory = scratchDirectory == null ? null : scratchDirectory.toAbsolutePath();
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

    /**
     * This source with its snapshot copy in {@code directory} when it has no scratch directory of its
     * own (a repository-wide default); itself otherwise.
     */
    public SqliteSource withDefaultScratchDirectory(Path directory) {
        return scratchDirectory != null ? this : new SqliteSource(name, database, directory);
    }

    /** The database file. */
    public Path database() {
        return database;
    }

    /** Where the snapshot copy is written. */
    public Path scratchDirectory() {
        return scratchDirectory != null ? scratchDirectory
                : Objects.requireNonNull(database.toAbsolutePath().getParent(), "parent of " + database);
    }

    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        if (!Files.isRegularFile(database)) {
            throw new IOException("SQLite database " + database + " does not exist");
        }
        Path scratch = scratchDirectory();
        Files.createDirectories(scratch);
        String prefix = "." + database.getFileName() + ".snapshot-";
        Leftovers.remove(scratch, prefix, ".tmp");
        long needed = Files.size(database) + walSize() + FREE_SPACE_MARGIN;
        long free = Files.getFileStore(scratch).getUsableSpace();
        if (free < needed) {
            throw new IOException("not enough free space for the snapshot of SQLite database " + database + " in " + scratch
                    + ": it needs " + io.opskit.api.internal.ByteSize.format(needed) + ", " + io.opskit.api.internal.ByteSize.format(free) + " are free; free space there"
                    + " or choose another scratch directory");
        }
        Path snapshot = Files.createTempFile(scratch, prefix + Leftovers.ownerTag(), ".tmp");
        try {
            CrashPoints.reached("created the snapshot copy " + snapshot.getFileName());
            snapshotTo(database, snapshot); // checks page count x page size against the file
            CrashPoints.reached("copied the snapshot of " + database.getFileName());
            String check = check(snapshot, "quick_check");
            if (!"ok".equals(check)) {
                throw new IOException("the snapshot of SQLite database " + database + " is incomplete (" + check
                        + "); if the disk of " + scratch + " is full, free space there or choose another scratch directory");
            }
            try (InputStream in = Files.newInputStream(snapshot)) {
                byte[] buffer = new byte[1 << 20];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
            }
        } finally {
            Leftovers.deleteWithCompanions(snapshot);
        }
    }

    private long walSize() {
        try {
            Path wal = database.resolveSibling(database.getFileName() + "-wal");
            return Files.exists(wal) ? Files.size(wal) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Copies the live database at {@code source} into {@code target} (overwritten), then checks the
     * copy is whole: it opens as a database and its page count times its page size is its size.
     * SQLite's backup call reports the source handle's status, so a destination that ran out of
     * space is found by that check; it is then reported as "No space left on device" with the
     * target's path.
     *
     * @throws IOException when the copy fails or is not whole
     */
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
            if (isFull(target)) {
                throw noSpace(source, target, e.getMessage());
            }
            throw new IOException("SQLite snapshot of " + source + " failed: " + e.getMessage(), e);
        }
        String whole = openCheck(target);
        if (!"ok".equals(whole)) {
            if (isFull(target)) {
                throw noSpace(source, target, whole);
            }
            throw new IOException("the SQLite snapshot of " + source + " in " + target + " is incomplete: " + whole);
        }
    }

    /** True when the file system holding {@code file} has (nearly) no room left. */
    private static boolean isFull(Path file) {
        try {
            return Files.getFileStore(file).getUsableSpace() < FREE_SPACE_MARGIN;
        } catch (IOException e) {
            return false;
        }
    }

    private static java.nio.file.FileSystemException noSpace(Path source, Path target, @Nullable String detail) {
        long size;
        try {
            size = Files.size(target);
        } catch (IOException e) {
            size = 0;
        }
        return new java.nio.file.FileSystemException(target.toString(), null, "No space left on device: the SQLite"
                + " snapshot of " + source + " stopped after " + size + " bytes (" + detail + ")");
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
