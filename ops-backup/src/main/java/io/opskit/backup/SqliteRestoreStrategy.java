package io.opskit.backup;

import io.opskit.api.backup.RestoreOptions;
import io.opskit.api.backup.RestoreStrategy;
import io.opskit.api.backup.RestoreTarget;
import io.opskit.api.backup.SnapshotArchive;
import io.opskit.backup.internal.CrashPoints;
import io.opskit.backup.internal.Leftovers;
import io.opskit.backup.internal.SqliteSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in strategy of kind {@code sqlite}: restores to a {@link RestoreTarget.File}.
 *
 * <p>The snapshot is decrypted to {@code .NAME.restore-p<pid>-*.tmp} beside the target, flushed and
 * checked (see {@link RestoreCheck}), then published:
 * <ul>
 *   <li>without a database at the target, stale {@code -wal}, {@code -shm} and {@code -journal}
 *       files there (left by a crash; the first open would replay them into the restored data) are
 *       set aside as {@code NAME.stale-DATE-wal} and so on, and the file is linked in, which fails
 *       if a database appeared meanwhile;</li>
 *   <li>over a database (with force), the old database's write-ahead log is first folded back into
 *       it and any hot journal rolled back, so the file alone is the whole old database; it is then
 *       hard-linked aside as {@code NAME.before-restore-DATE}, given up to the restored file in one
 *       atomic rename (there is never a moment without a database at the target) and its emptied
 *       companions removed. The restored file keeps the old file's mode and, where allowed, its
 *       owner and group.</li>
 * </ul>
 * A crash at any step leaves the target whole (old or new); the next restore removes the
 * temporaries of a process that is gone.
 */
final class SqliteRestoreStrategy implements RestoreStrategy {

    static final String KIND = "sqlite";

    private static final Logger log = LoggerFactory.getLogger(SqliteRestoreStrategy.class);
    static final DateTimeFormatter ASIDE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String[] COMPANIONS = {"-wal", "-shm", "-journal"};

    private final Clock clock;
    private final RestoreCheck check;

    SqliteRestoreStrategy(Clock clock, RestoreCheck check) {
        this.clock = clock;
        this.check = check;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public RestoreTarget target(String text) {
        return RestoreTarget.file(Path.of(text));
    }

    @Override
    public Optional<String> refusal(RestoreTarget target, RestoreOptions options) {
        Path file = file(target);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !options.force()) {
            return Optional.of(existsMessage(file));
        }
        if (Files.isDirectory(file)) {
            return Optional.of("restore target " + file + " is a directory; a SQLite backup restores to a file");
        }
        return Optional.empty();
    }

    private static String existsMessage(Path file) {
        return "restore target " + file + " exists; restore with --force to replace it"
                + " (the current file is kept aside under a dated name)";
    }

    private static Path file(RestoreTarget target) {
        if (target instanceof RestoreTarget.File f) {
            return f.path().toAbsolutePath();
        }
        throw new IllegalArgumentException("a sqlite backup restores to RestoreTarget.file(path), not " + target.describe());
    }

    @Override
    public void check(SnapshotArchive archive, Path scratchDir) throws IOException {
        Leftovers.remove(scratchDir, "opskit-verify-", ".db");
        Path scratch = Files.createTempFile(scratchDir, "opskit-verify-" + Leftovers.ownerTag(), ".db");
        try {
            try (FileChannel channel = FileChannel.open(scratch, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                copy(archive.snapshot(), channel); // scratch, deleted after the check: no fsync
            }
            archive.finish();
            String result = SqliteSource.integrityCheck(scratch);
            if (!"ok".equals(result)) {
                throw new BackupIntegrityException(archive.backupId(), "test restore of backup " + archive.backupId()
                        + " failed PRAGMA integrity_check: " + result);
            }
        } finally {
            Leftovers.deleteWithCompanions(scratch);
        }
    }

    @Override
    public void restore(SnapshotArchive archive, RestoreTarget restoreTarget, RestoreOptions options) throws IOException {
        Path target = file(restoreTarget);
        Path dir = target.getParent();
        if (dir == null) {
            throw new IllegalArgumentException("restore target has no parent directory: " + target);
        }
        Files.createDirectories(dir);
        String prefix = "." + target.getFileName() + ".restore-";
        Leftovers.remove(dir, prefix, ".tmp");
        Path temp = dir.resolve(prefix + Leftovers.ownerTag() + UUID.randomUUID() + ".tmp");
        try {
            String pragma = check.pragmaFor(archive.testRestored());
            String result;
            CrashPoints.reached("write " + temp.getFileName());
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                copy(archive.snapshot(), channel);
                archive.finish();
                result = checkWhileSyncing(channel, temp, pragma);
            }
            if (!"ok".equals(result)) {
                String checkName = pragma == null ? "the open check (schema and size)" : "PRAGMA " + pragma;
                throw new BackupIntegrityException(archive.backupId(), "restored database failed " + checkName + ": "
                        + result + "; the target was not touched");
            }
            // The check may have left companions of the temporary name; they must not outlive it.
            for (String suffix : COMPANIONS) {
                Files.deleteIfExists(temp.resolveSibling(temp.getFileName() + suffix));
            }
            String stamp = ASIDE.format(clock.instant());
            boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
            if (exists && !options.force()) {
                throw new RestoreRefusedException(existsMessage(target));
            }
            if (exists) {
                replace(target, temp, stamp);
            } else {
                publishNew(target, temp, stamp);
            }
            LocalDirectoryStore.fsyncDirectory(dir);
        } finally {
            Leftovers.deleteWithCompanions(temp);
        }
    }

    /** Over an existing database: fold its log back in, link it aside, rename the new one over it. */
    private void replace(Path target, Path temp, String stamp) throws IOException {
        Path aside = unused(target.resolveSibling(target.getFileName() + ".before-restore-" + stamp));
        boolean settled = settle(target);
        copyOwnership(target, temp);
        CrashPoints.reached("link " + target.getFileName() + " aside");
        Files.createLink(aside, target); // the old database stays at the target meanwhile
        if (!settled) {
            // Not a database SQLite can open: its companions belong to nothing that could be kept.
            setAsideCompanions(target, aside);
        }
        CrashPoints.reached("rename " + temp.getFileName() + " over " + target.getFileName());
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        log.info("restore: previous database kept as {}", aside);
        // Emptied by settle(): harmless beside the new file, and removed now.
        for (String suffix : COMPANIONS) {
            Path companion = target.resolveSibling(target.getFileName() + suffix);
            if (Files.exists(companion, LinkOption.NOFOLLOW_LINKS)) {
                CrashPoints.reached("remove " + companion.getFileName());
                Files.deleteIfExists(companion);
            }
        }
    }

    /** Where there was no database: set stale companions aside, then link the new file in. */
    private static void publishNew(Path target, Path temp, String stamp) throws IOException {
        setAsideCompanions(target, unused(target.resolveSibling(target.getFileName() + ".stale-" + stamp)));
        CrashPoints.reached("link " + temp.getFileName() + " as " + target.getFileName());
        try {
            Files.createLink(target, temp); // atomic, and fails if the target appeared meanwhile
        } catch (FileAlreadyExistsException e) {
            throw new RestoreRefusedException("restore target " + target + " appeared during the restore;"
                    + " restore with --force to replace it");
        } catch (UnsupportedOperationException e) {
            CrashPoints.reached("rename " + temp.getFileName() + " as " + target.getFileName());
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        CrashPoints.reached("remove " + temp.getFileName());
        Files.delete(temp);
    }

    /**
     * Makes the file alone the whole database: a checkpoint that moves every frame of its
     * write-ahead log into it and truncates the log, after the open has rolled back any hot journal.
     *
     * @return false when the file is not a database SQLite opens (there is nothing to keep whole)
     * @throws RestoreRefusedException when another connection keeps the log from being emptied
     */
    private static boolean settle(Path database) throws IOException {
        boolean hasCompanion = false;
        for (String suffix : COMPANIONS) {
            hasCompanion |= Files.exists(database.resolveSibling(database.getFileName() + suffix), LinkOption.NOFOLLOW_LINKS);
        }
        if (!hasCompanion) {
            return true;
        }
        CrashPoints.reached("checkpoint " + database.getFileName());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM sqlite_master")) {
                r.next(); // reading rolls a hot journal back
            }
            try (ResultSet r = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                if (r.next() && r.getInt(1) != 0) {
                    throw new RestoreRefusedException("restore target " + database + " is in use: its write-ahead log"
                            + " could not be written back into it; stop what uses it and restore again");
                }
            }
            return true;
        } catch (SQLException e) {
            log.warn("restore: the file being replaced, {}, does not open as a SQLite database ({}); its -wal, -shm"
                    + " and -journal are set aside with it", database, e.getMessage());
            return false;
        }
    }

    /** {@code path}, or {@code path-2}, {@code path-3} ... when a restore in the same second used it. */
    static Path unused(Path path) {
        Path candidate = path;
        for (int i = 2; exists(candidate); i++) {
            candidate = path.resolveSibling(path.getFileName() + "-" + i);
        }
        return candidate;
    }

    private static boolean exists(Path aside) {
        if (Files.exists(aside, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        for (String suffix : COMPANIONS) {
            if (Files.exists(aside.resolveSibling(aside.getFileName() + suffix), LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
        }
        return false;
    }

    /** Moves {@code TARGET-wal}, {@code -shm} and {@code -journal}, when present, to {@code ASIDE-wal} and so on. */
    private static void setAsideCompanions(Path target, Path aside) throws IOException {
        for (String suffix : COMPANIONS) {
            Path stale = target.resolveSibling(target.getFileName() + suffix);
            if (Files.exists(stale, LinkOption.NOFOLLOW_LINKS)) {
                Path to = aside.resolveSibling(aside.getFileName() + suffix);
                CrashPoints.reached("set " + stale.getFileName() + " aside");
                Files.move(stale, to, StandardCopyOption.ATOMIC_MOVE);
                log.info("restore: set aside {} (it belongs to the previous database) as {}", stale, to);
            }
        }
    }

    /** Gives {@code to} the permissions, and where allowed the owner and group, of {@code from}. */
    private static void copyOwnership(Path from, Path to) throws IOException {
        try {
            PosixFileAttributes attrs = Files.readAttributes(from, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Files.setPosixFilePermissions(to, attrs.permissions());
            PosixFileAttributeView view = Files.getFileAttributeView(to, PosixFileAttributeView.class);
            try {
                if (!Files.getOwner(to).equals(attrs.owner())) {
                    view.setOwner(attrs.owner());
                }
                view.setGroup(attrs.group());
            } catch (IOException e) {
                log.warn("restore: could not give the restored database the owner {} and group {} of the file it"
                        + " replaces ({}); it keeps its permissions", attrs.owner().getName(), attrs.group().getName(),
                        e.getMessage());
            }
        } catch (UnsupportedOperationException e) {
            // no POSIX attributes on this file system
        }
    }

    private static void copy(InputStream in, FileChannel channel) throws IOException {
        OutputStream out = Channels.newOutputStream(channel);
        // 32 KiB at a time: fewer native calls into the decompressor and system calls than
        // transferTo's 8 KiB, while the buffer and its copy on the way to the file stay in the
        // processor's cache. Measured by BackupThroughputBenchmark, 32 KiB restored fastest, and
        // 1 MiB was a third slower than 8 KiB.
        byte[] buffer = new byte[32 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
        }
    }

    /**
     * Runs the SQLite check on a restored file while its bytes go to disk: the check reads what the
     * page cache holds and the flush waits on the device, so side by side they take the time of
     * the longer. Both must succeed before the file may be swapped in.
     *
     * @param pragma the checking pragma, or null for the open check
     */
    private static String checkWhileSyncing(FileChannel channel, Path file, @Nullable String pragma) throws IOException {
        IOException[] syncFailure = new IOException[1];
        Thread sync = new Thread(() -> {
            try {
                channel.force(true);
            } catch (IOException e) {
                syncFailure[0] = e;
            }
        }, "opskit-restore-sync");
        sync.setDaemon(true);
        sync.start();
        String result;
        try {
            result = pragma == null ? SqliteSource.openCheck(file) : SqliteSource.check(file, pragma);
        } finally {
            joinUninterruptibly(sync);
        }
        if (syncFailure[0] != null) {
            throw syncFailure[0];
        }
        return result;
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the file may not be deleted while the flush still holds it
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
