package io.opskit.backup.internal;

import io.opskit.api.backup.BackupSource;
import java.io.DataOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files and directories under a root, selected by include and exclude globs matched against the
 * path relative to the root ({@code logs/**}, {@code *.properties}), written as a {@link FileArchive}.
 * Symbolic links are skipped (never followed), with a warning. A single file can be a root too.
 */
public final class FilesSource implements BackupSource, SizeHint {

    private static final Logger log = LoggerFactory.getLogger(FilesSource.class);

    private final String name;
    private final Path root;
    private final List<PathMatcher> includes;
    private final List<PathMatcher> excludes;

    /** Creates the source; empty includes select everything. */
    public FilesSource(String name, Path root, List<String> includes, List<String> excludes) {
        this.name = name;
        this.root = root.toAbsolutePath().normalize();
        this.includes = matchers(includes);
        this.excludes = matchers(excludes);
    }

    private static List<PathMatcher> matchers(List<String> globs) {
        List<PathMatcher> matchers = new ArrayList<>();
        for (String glob : globs) {
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
        }
        return matchers;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "files";
    }

    @Override
    public long expectedBytes() {
        try {
            long total = 0;
            for (Path p : selected(false)) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    total += Files.size(p);
                }
            }
            return total;
        } catch (IOException e) {
            return -1;
        }
    }

    private boolean selects(Path relative) {
        if (relative.toString().isEmpty()) {
            return false;
        }
        for (PathMatcher exclude : excludes) {
            if (exclude.matches(relative)) {
                return false;
            }
        }
        if (includes.isEmpty()) {
            return true;
        }
        for (PathMatcher include : includes) {
            if (include.matches(relative)) {
                return true;
            }
        }
        return false;
    }

    private List<Path> selected(boolean warn) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("backup source " + name + ": " + root + " does not exist");
        }
        if (Files.isRegularFile(root, LinkOption.NOFOLLOW_LINKS)) {
            return List.of(root);
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted().forEach(p -> {
                Path relative = root.relativize(p);
                if (!selects(relative)) {
                    return;
                }
                if (Files.isSymbolicLink(p)) {
                    if (warn) {
                        log.warn("backup source {}: skipping symbolic link {}", name, relative);
                    }
                    return;
                }
                paths.add(p);
            });
        }
        return paths;
    }

    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        });
        FileArchive.writeStart(data);
        byte[] buffer = new byte[1 << 16];
        Path base = Files.isRegularFile(root, LinkOption.NOFOLLOW_LINKS)
                ? Objects.requireNonNull(root.toAbsolutePath().getParent(), "parent of " + root) : root;
        for (Path p : selected(true)) {
            BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String relative = base.relativize(p).toString().replace('\\', '/');
            int mode = mode(p);
            long modified = attrs.lastModifiedTime().toMillis();
            if (attrs.isDirectory()) {
                FileArchive.writeEntry(data, FileArchive.DIRECTORY, relative, mode, modified, 0, "");
            } else if (attrs.isRegularFile()) {
                long size = attrs.size();
                FileArchive.writeEntry(data, FileArchive.FILE, relative, mode, modified, size, "");
                long copied = 0;
                try (InputStream in = Files.newInputStream(p)) {
                    while (copied < size) {
                        int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - copied));
                        if (n < 0) {
                            break;
                        }
                        data.write(buffer, 0, n);
                        copied += n;
                    }
                }
                if (copied < size) {
                    // The file shrank while it was read: pad so the archive stays well-formed.
                    log.warn("backup source {}: {} shrank while being read; padded to its original size", name, relative);
                    java.util.Arrays.fill(buffer, (byte) 0);
                    while (copied < size) {
                        int n = (int) Math.min(buffer.length, size - copied);
                        data.write(buffer, 0, n);
                        copied += n;
                    }
                }
            }
        }
        FileArchive.writeEnd(data);
        data.flush();
    }

    static int mode(Path p) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            int mode = 0;
            for (PosixFilePermission perm : perms) {
                mode |= 1 << (8 - perm.ordinal());
            }
            return mode;
        } catch (UnsupportedOperationException | IOException e) {
            return 0;
        }
    }

    /** The permissions for a mode written by {@link #mode(Path)}. */
    public static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> perms = java.util.EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission perm : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - perm.ordinal()))) != 0) {
                perms.add(perm);
            }
        }
        return perms;
    }

    @Override
    public String toString() {
        return "files:" + root;
    }
}
