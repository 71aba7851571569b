package io.opskit.backup;

import io.opskit.backup.internal.ChildProcess;
import io.opskit.backup.internal.FileArchive;
import io.opskit.backup.internal.FilesSource;
import io.opskit.backup.internal.PostgresTarget;
import io.opskit.backup.internal.SqliteSource;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Restores one source of a backup, per kind, never leaving a half-written target in place. */
final class Restorer {

    private static final Logger log = LoggerFactory.getLogger(Restorer.class);
    private static final DateTimeFormatter ASIDE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Clock clock;
    private final RestoreCheck check;
    private final String pgRestore;
    private final String psql;

    Restorer(Clock clock, RestoreCheck check) {
        this.clock = clock;
        this.check = check;
        this.pgRestore = "pg_restore";
        this.psql = "psql";
    }

    /** Checks the target before any bytes are read, so a refusal costs nothing. */
    void precheck(String kind, String to, boolean force) throws IOException {
        switch (kind) {
            case "sqlite" -> {
                Path target = Path.of(to);
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !force) {
                    throw new RestoreRefusedException("restore target " + target + " exists; restore with --force to replace it"
                            + " (the current file is kept aside under a dated name)");
                }
            }
            case "files" -> {
                Path target = Path.of(to);
                if (!force && Files.isDirectory(target) && !isEmpty(target)) {
                    throw new RestoreRefusedException("restore target directory " + target + " is not empty; restore with --force"
                            + " to restore into it");
                }
                if (Files.exists(target) && !Files.isDirectory(target)) {
                    throw new RestoreRefusedException("restore target " + target + " is not a directory");
                }
            }
            case "postgres" -> {
                PostgresTarget target = PostgresTarget.parse(to);
                if (!force && postgresHasTables(target)) {
                    throw new RestoreRefusedException("restore target database " + target.describe()
                            + " already has tables; restore with --force to replace its objects");
                }
            }
            default -> throw new BackupFailedException("cannot restore a source of kind " + kind
                    + "; restore it with the tool that made it");
        }
    }

    /** Restores into {@code to}; the archive is finished (checksum checked) before anything is swapped in. */
    /**
     * @param verified whether the backup passed level-3 verification (see {@link RestoreCheck#AUTO})
     */
    void restore(String kind, StoredArchive archive, String to, boolean force, boolean verified) throws IOException {
        switch (kind) {
            case "sqlite" -> restoreSqlite(archive, Path.of(to).toAbsolutePath(), force, verified);
            case "files" -> restoreFiles(archive, Path.of(to).toAbsolutePath(), force);
            case "postgres" -> restorePostgres(archive, PostgresTarget.parse(to));
            default -> throw new BackupFailedException("cannot restore a source of kind " + kind);
        }
    }

    /** Level 3: a test restore into scratch space, then the source's own check. */
    void testRestore(String kind, StoredArchive archive, Path scratchDir, String backupId) throws IOException {
        Files.createDirectories(scratchDir);
        switch (kind) {
            case "sqlite" -> {
                io.opskit.backup.internal.Leftovers.remove(scratchDir, "opskit-verify-", ".db");
                Path scratch = Files.createTempFile(scratchDir, "opskit-verify-" + io.opskit.backup.internal.Leftovers.ownerTag(), ".db");
                try {
                    try (FileChannel channel = FileChannel.open(scratch, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING)) {
                        copy(archive.plain(), channel); // scratch, deleted after the check: no fsync
                    }
                    archive.finish();
                    String check = SqliteSource.integrityCheck(scratch);
                    if (!"ok".equals(check)) {
                        throw new BackupIntegrityException(backupId, "test restore of backup " + backupId
                                + " failed PRAGMA integrity_check: " + check);
                    }
                } finally {
                    io.opskit.backup.internal.Leftovers.deleteWithCompanions(scratch);
                }
            }
            case "files" -> {
                io.opskit.backup.internal.Leftovers.remove(scratchDir, "opskit-verify-", "");
                Path scratch = Files.createTempDirectory(scratchDir, "opskit-verify-" + io.opskit.backup.internal.Leftovers.ownerTag());
                try {
                    extract(archive.plain(), scratch);
                    archive.finish();
                } finally {
                    deleteTree(scratch);
                }
            }
            case "postgres" -> {
                // A full read of the archive by pg_restore: every entry is parsed and written as SQL.
                List<String> command = List.of(pgRestore, "--file=/dev/null");
                ChildProcess.run(command, java.util.Map.of(), archive.plain(), null);
                archive.finish();
            }
            case io.opskit.backup.pitr.PgBaseBackupSource.KIND -> {
                // Start a server on it: it must replay to consistency and answer a query.
                try {
                    io.opskit.backup.pitr.internal.BaseBackupCheck.testRestore(archive.plain(), scratchDir);
                } catch (StoredArchive.ArchiveException | BackupIntegrityException e) {
                    throw e;
                } catch (IOException e) {
                    throw new BackupIntegrityException(backupId, "test restore of base backup " + backupId
                            + " failed: " + e.getMessage());
                }
                archive.finish();
            }
            default -> {
                archive.plain().transferTo(OutputStream.nullOutputStream());
                archive.finish();
            }
        }
    }

    private static final String[] COMPANIONS = {"-wal", "-shm", "-journal"};

    /**
     * Restores a SQLite database: decrypted to a temporary file beside the target, checked, then
     * published. Stale {@code -wal}, {@code -shm} and {@code -journal} files beside the target are
     * set aside first (they would replay the old database into the restored one). With force over
     * an existing file, the old file is hard-linked aside and the new one renamed over it in one
     * atomic step: there is never a moment without a database at the target. The restored file
     * keeps the old file's permissions and, where allowed, its owner and group.
     */
    private void restoreSqlite(StoredArchive archive, Path target, boolean force, boolean verified) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null) {
            throw new IllegalArgumentException("restore target has no parent directory: " + target);
        }
        Files.createDirectories(dir);
        String prefix = "." + target.getFileName() + ".restore-";
        io.opskit.backup.internal.Leftovers.remove(dir, prefix, ".tmp");
        Path temp = dir.resolve(prefix + io.opskit.backup.internal.Leftovers.ownerTag() + UUID.randomUUID() + ".tmp");
        try {
            String pragma = check.pragmaFor(verified);
            String result;
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                copy(archive.plain(), channel);
                archive.finish();
                result = checkWhileSyncing(channel, temp, pragma);
            }
            if (!"ok".equals(result)) {
                String checkName = pragma == null ? "the open check (schema and size)" : "PRAGMA " + pragma;
                throw new BackupIntegrityException("", "restored database failed " + checkName + ": " + result
                        + "; the target was not touched");
            }
            // The check may have left companions of the temporary name; they must not outlive it.
            for (String suffix : COMPANIONS) {
                Files.deleteIfExists(temp.resolveSibling(temp.getFileName() + suffix));
            }
            String stamp = ASIDE.format(clock.instant());
            boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
            if (exists && !force) {
                throw new RestoreRefusedException("restore target " + target + " exists; restore with --force to replace it"
                        + " (the current file is kept aside under a dated name)");
            }
            Path aside = target.resolveSibling(target.getFileName() + ".before-restore-" + stamp);
            if (exists) {
                copyOwnership(target, temp);
                Files.createLink(aside, target); // the old database stays at the target meanwhile
            }
            setAsideCompanions(target, exists ? aside : target.resolveSibling(target.getFileName() + ".stale-" + stamp));
            if (exists) {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                log.info("restore: previous database kept as {}", aside);
            } else {
                try {
                    Files.createLink(target, temp); // atomic, and fails if the target appeared meanwhile
                    Files.delete(temp);
                } catch (FileAlreadyExistsException e) {
                    throw new RestoreRefusedException("restore target " + target + " appeared during the restore;"
                            + " restore with --force to replace it");
                } catch (UnsupportedOperationException e) {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            io.opskit.backup.LocalDirectoryStore.fsyncDirectory(dir);
        } finally {
            io.opskit.backup.internal.Leftovers.deleteWithCompanions(temp);
        }
    }

    /** Moves {@code TARGET-wal}, {@code -shm} and {@code -journal}, when present, to {@code ASIDE-wal} and so on. */
    private static void setAsideCompanions(Path target, Path aside) throws IOException {
        for (String suffix : COMPANIONS) {
            Path stale = target.resolveSibling(target.getFileName() + suffix);
            if (Files.exists(stale, LinkOption.NOFOLLOW_LINKS)) {
                Path to = aside.resolveSibling(aside.getFileName() + suffix);
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
        OutputStream out = java.nio.channels.Channels.newOutputStream(channel);
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

    private void restoreFiles(StoredArchive archive, Path target, boolean force) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        if (parent == null) {
            throw new IllegalArgumentException("restore target has no parent directory: " + target);
        }
        Files.createDirectories(parent);
        String prefix = "." + target.getFileName() + ".restore-";
        io.opskit.backup.internal.Leftovers.remove(parent, prefix, "");
        Path staging = parent.resolve(prefix + io.opskit.backup.internal.Leftovers.ownerTag() + UUID.randomUUID());
        Files.createDirectory(staging);
        try {
            extract(archive.plain(), staging);
            archive.finish();
            if (!Files.exists(target)) {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } else if (isEmpty(target)) {
                Files.delete(target);
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } else if (force) {
                mergeInto(staging, target);
            } else {
                throw new RestoreRefusedException("restore target directory " + target + " is not empty; restore with --force to restore into it");
            }
        } finally {
            if (Files.exists(staging)) {
                deleteTree(staging);
            }
        }
    }

    /**
     * Extracts a file archive into {@code dir}, refusing entries that would escape it.
     *
     * @throws RestoreRefusedException for {@code ..}, absolute paths and links
     */
    static void extract(InputStream plain, Path dir) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(plain, 1 << 16));
        FileArchive.readStart(in);
        byte[] buffer = new byte[1 << 16];
        List<Object[]> directoryTimes = new ArrayList<>();
        FileArchive.Entry entry;
        while ((entry = FileArchive.readEntry(in)) != null) {
            Path path = safeResolve(dir, entry.path());
            if (entry.type() == FileArchive.LINK) {
                throw new RestoreRefusedException("archive entry " + entry.path() + " is a link (to " + entry.linkTarget()
                        + "); links are refused on restore");
            }
            if (entry.type() == FileArchive.DIRECTORY) {
                Files.createDirectories(path);
                directoryTimes.add(new Object[] {path, entry});
                continue;
            }
            Files.createDirectories(path.getParent());
            try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                FileArchive.copy(in, out, entry.size(), buffer);
            }
            applyAttributes(path, entry);
        }
        for (int i = directoryTimes.size() - 1; i >= 0; i--) {
            applyAttributes((Path) directoryTimes.get(i)[0], (FileArchive.Entry) directoryTimes.get(i)[1]);
        }
    }

    private static void applyAttributes(Path path, FileArchive.Entry entry) throws IOException {
        if (entry.mode() != 0) {
            try {
                Files.setPosixFilePermissions(path, FilesSource.permissions(entry.mode()));
            } catch (UnsupportedOperationException ignored) {
                // No POSIX permissions on this file system.
            }
        }
        Files.setLastModifiedTime(path, FileTime.fromMillis(entry.modifiedMillis()));
    }

    /** Resolves an archive path inside {@code dir}, refusing anything that could escape it. */
    static Path safeResolve(Path dir, String entryPath) {
        boolean bad = entryPath.isEmpty() || entryPath.startsWith("/") || entryPath.contains("\\")
                || entryPath.indexOf('\0') >= 0 || entryPath.matches("^[A-Za-z]:.*");
        if (!bad) {
            for (String segment : entryPath.split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                    bad = true;
                    break;
                }
            }
        }
        Path resolved = dir.resolve(entryPath).normalize();
        if (bad || !resolved.startsWith(dir)) {
            throw new RestoreRefusedException("archive entry " + entryPath + " would escape the restore target;"
                    + " refusing to restore (absolute paths and .. are not allowed)");
        }
        return resolved;
    }

    private static void mergeInto(Path staging, Path target) throws IOException {
        Files.walkFileTree(staging, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Path to = target.resolve(staging.relativize(d).toString());
                if (Files.isSymbolicLink(to)) {
                    throw new RestoreRefusedException("restore target contains a link at " + to + "; refusing to follow it");
                }
                Files.createDirectories(to);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Path to = target.resolve(staging.relativize(f).toString());
                Files.move(f, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void restorePostgres(StoredArchive archive, PostgresTarget target) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(pgRestore);
        command.add("--clean");
        command.add("--if-exists");
        command.add("--single-transaction"); // all or nothing: a failure leaves the database as it was
        command.add("--no-owner");
        command.addAll(target.connectionArgs());
        command.add("--dbname=" + target.database());
        // The stream is checked before pg_restore commits: a checksum failure makes the feed fail,
        // which kills pg_restore and rolls its transaction back.
        InputStream checked = new InputStream() {
            private boolean finished;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = archive.plain().read(b, off, len);
                if (n < 0 && !finished) {
                    finished = true;
                    archive.finish();
                }
                return n;
            }
        };
        try {
            ChildProcess.run(command, target.environment(), checked, OutputStream.nullOutputStream());
        } catch (BackupIntegrityException | StoredArchive.ArchiveException e) {
            throw e;
        } catch (IOException e) {
            throw new BackupFailedException("restore into " + target.describe() + " failed: " + e.getMessage()
                    + "; the database was left as it was", e);
        }
    }

    private boolean postgresHasTables(PostgresTarget target) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(psql);
        command.addAll(target.connectionArgs());
        command.add("--dbname=" + target.database());
        command.add("--tuples-only");
        command.add("--no-align");
        command.add("--command=select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + " where c.relkind in ('r','p') and n.nspname not in ('pg_catalog','information_schema')"
                + " and n.nspname not like 'pg_toast%'");
        try {
            String out = ChildProcess.run(command, target.environment(), null, null).trim();
            return !out.equals("0");
        } catch (IOException e) {
            throw new BackupFailedException("cannot reach restore target " + target.describe() + ": " + e.getMessage(), e);
        }
    }

    static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
