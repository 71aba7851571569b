package io.opskit.backup;

import io.opskit.api.backup.RestoreOptions;
import io.opskit.api.backup.RestoreStrategy;
import io.opskit.api.backup.RestoreTarget;
import io.opskit.api.backup.SnapshotArchive;
import io.opskit.backup.internal.CrashPoints;
import io.opskit.backup.internal.FileArchive;
import io.opskit.backup.internal.FilesSource;
import io.opskit.backup.internal.Leftovers;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The built-in strategy of kind {@code files}: restores to a {@link RestoreTarget.Directory}. The
 * archive is extracted into a staging directory {@code .NAME.restore-p<pid>-*} beside the target and
 * renamed into place when the target is absent or empty. With force over a non-empty directory the
 * old directory is renamed aside whole as {@code NAME.before-restore-DATE} and the staging directory
 * renamed into its place, so the target is never a mix of old and new files: a crash leaves the old
 * directory at the target, the new one there, or (between the two renames) the old one whole under
 * its kept-aside name and no target until the next restore. Entries that would
 * escape the target ({@code ..}, absolute paths, links) are refused. Staging directories of a
 * process that is gone are removed by the next restore.
 */
final class FilesRestoreStrategy implements RestoreStrategy {

    static final String KIND = "files";

    private final Clock clock;

    FilesRestoreStrategy(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public RestoreTarget target(String text) {
        return RestoreTarget.directory(Path.of(text));
    }

    static Path directory(RestoreTarget target, String kind) {
        if (target instanceof RestoreTarget.Directory d) {
            return d.path().toAbsolutePath();
        }
        throw new IllegalArgumentException("a " + kind + " backup restores to RestoreTarget.directory(path), not "
                + target.describe());
    }

    @Override
    public Optional<String> refusal(RestoreTarget target, RestoreOptions options) throws IOException {
        Path dir = directory(target, KIND);
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            return Optional.of("restore target " + dir + " is not a directory");
        }
        if (!options.force() && Files.isDirectory(dir) && !isEmpty(dir)) {
            return Optional.of("restore target directory " + dir + " is not empty; restore with --force to restore into it");
        }
        return Optional.empty();
    }

    @Override
    public void check(SnapshotArchive archive, Path scratchDir) throws IOException {
        Leftovers.remove(scratchDir, "opskit-verify-", "");
        Path scratch = Files.createTempDirectory(scratchDir, "opskit-verify-" + Leftovers.ownerTag());
        try {
            extract(archive.snapshot(), scratch);
            archive.finish();
        } finally {
            Leftovers.deleteTree(scratch);
        }
    }

    @Override
    public void restore(SnapshotArchive archive, RestoreTarget restoreTarget, RestoreOptions options) throws IOException {
        Path target = directory(restoreTarget, KIND);
        Path staging = createStaging(target);
        try {
            extract(archive.snapshot(), staging);
            archive.finish();
            if (!Files.exists(target) || isEmpty(target)) {
                moveIntoPlace(staging, target);
            } else if (options.force()) {
                swap(staging, target);
            } else {
                throw new RestoreRefusedException("restore target directory " + target
                        + " is not empty; restore with --force to restore into it");
            }
        } finally {
            if (Files.exists(staging)) {
                Leftovers.deleteTree(staging);
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
        List<Path> directories = new ArrayList<>();
        List<FileArchive.Entry> directoryEntries = new ArrayList<>();
        FileArchive.Entry entry;
        while ((entry = FileArchive.readEntry(in)) != null) {
            Path path = safeResolve(dir, entry.path());
            if (entry.type() == FileArchive.LINK) {
                throw new RestoreRefusedException("archive entry " + entry.path() + " is a link (to " + entry.linkTarget()
                        + "); links are refused on restore");
            }
            if (entry.type() == FileArchive.DIRECTORY) {
                Files.createDirectories(path);
                directories.add(path);
                directoryEntries.add(entry);
                continue;
            }
            Path parent = path.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            CrashPoints.reached("write " + entry.path());
            try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                FileArchive.copy(in, out, entry.size(), buffer);
            }
            applyAttributes(path, entry);
        }
        for (int i = directories.size() - 1; i >= 0; i--) {
            applyAttributes(directories.get(i), directoryEntries.get(i));
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

    /**
     * Creates the staging directory {@code .NAME.restore-<owner>-<random>} beside {@code target},
     * first removing the staging directories of processes that are gone.
     */
    static Path createStaging(Path target) throws IOException {
        Path parent = target.getParent();
        if (parent == null) {
            throw new IllegalArgumentException("restore target has no parent directory: " + target);
        }
        Files.createDirectories(parent);
        String prefix = "." + target.getFileName() + ".restore-";
        Leftovers.remove(parent, prefix, "");
        Path staging = parent.resolve(prefix + Leftovers.ownerTag() + UUID.randomUUID());
        CrashPoints.reached("create " + staging.getFileName());
        Files.createDirectory(staging);
        return staging;
    }

    /** Renames a complete staging directory to {@code target}, which is absent or an empty directory. */
    static void moveIntoPlace(Path staging, Path target) throws IOException {
        if (Files.exists(target)) {
            CrashPoints.reached("remove the empty " + target.getFileName());
            Files.delete(target);
        }
        CrashPoints.reached("rename " + staging.getFileName() + " as " + target.getFileName());
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Renames the old directory aside whole, then the staging directory into its place. */
    private void swap(Path staging, Path target) throws IOException {
        Path aside = SqliteRestoreStrategy.unused(target.resolveSibling(
                target.getFileName() + ".before-restore-" + SqliteRestoreStrategy.ASIDE.format(clock.instant())));
        CrashPoints.reached("rename " + target.getFileName() + " aside as " + aside.getFileName());
        Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
        CrashPoints.reached("rename " + staging.getFileName() + " as " + target.getFileName());
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    }

    static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        }
    }
}
