package io.opskit.backup;

import io.opskit.api.backup.BackupStore;
import io.opskit.backup.internal.CrashPoints;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@link BackupStore} in a local directory: each key is a file under the root. An object is
 * written to {@code .tmp/} in the same file system, fsynced, then published under its key with a
 * hard link (which fails if the key exists, so nothing is ever overwritten) and the directory
 * fsynced. A crash leaves at most a file in {@code .tmp/}, which {@link #clearTemporaries()} removes.
 *
 * <p>Thread-safe. Create with {@link #open(Path)}.
 */
public final class LocalDirectoryStore implements BackupStore {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
    private static final String TMP = ".tmp";

    private final Path root;
    private final Path tmp;

    private LocalDirectoryStore(Path root) {
        this.root = root;
        this.tmp = root.resolve(TMP);
    }

    /**
     * Opens (creating if needed) a store rooted at {@code directory}.
     *
     * @throws BackupFailedException when the directory cannot be created
     */
    public static LocalDirectoryStore open(Path directory) {
        Objects.requireNonNull(directory, "directory");
        Path root = directory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(root.resolve(TMP));
        } catch (IOException e) {
            throw new BackupFailedException("cannot create backup repository " + root + ": " + e.getMessage(), e);
        }
        return new LocalDirectoryStore(root);
    }

    /** The root directory. */
    public Path root() {
        return root;
    }

    private Path resolve(String key) {
        Objects.requireNonNull(key, "key");
        if (!KEY.matcher(key).matches() || key.contains("..") || key.startsWith(TMP)) {
            throw new IllegalArgumentException("key must match [A-Za-z0-9._/-] without '..': " + key);
        }
        return root.resolve(key);
    }

    @Override
    public PendingObject create(String key) throws IOException {
        Path target = resolve(key);
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(key);
        }
        Path temp = tmp.resolve(UUID.randomUUID() + ".part");
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        CrashPoints.reached("created " + temp.getFileName() + " for " + key);
        return new LocalPending(channel, temp, target);
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(resolve(key));
    }

    @Override
    public Optional<Long> size(String key) throws IOException {
        Path path = resolve(key);
        try {
            return Optional.of(Files.size(path));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).forEach(p -> {
                String key = root.relativize(p).toString().replace('\\', '/');
                if (!key.startsWith(TMP + "/") && !key.startsWith(".") && key.startsWith(prefix)) {
                    keys.add(key);
                }
            });
        }
        keys.sort(null);
        return keys;
    }

    @Override
    public void delete(String key) throws IOException {
        Path path = resolve(key);
        Files.deleteIfExists(path);
        CrashPoints.reached("deleted " + key);
        Path parent = path.getParent();
        if (parent != null && !parent.equals(root)) {
            try (DirectoryStream<Path> left = Files.newDirectoryStream(parent)) {
                if (!left.iterator().hasNext()) {
                    Files.deleteIfExists(parent);
                }
            } catch (IOException ignored) {
                // Not empty or already gone: nothing to tidy.
            }
        }
    }

    /**
     * Deletes temporaries left by writers that crashed, and empty key directories (a writer killed
     * between creating a directory and publishing into it leaves one). Call only while holding the
     * repository's writer lock, so that no live writer's temporary is removed.
     *
     * @return how many files were removed
     */
    public int clearTemporaries() throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(tmp)) {
            for (Path part : parts) {
                if (Files.deleteIfExists(part)) {
                    removed++;
                }
            }
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path child : children) {
                if (!child.equals(tmp) && !Files.isSymbolicLink(child)) {
                    try (DirectoryStream<Path> inside = Files.newDirectoryStream(child)) {
                        if (!inside.iterator().hasNext()) {
                            Files.deleteIfExists(child);
                        }
                    } catch (IOException ignored) {
                        // Not empty any more or already gone.
                    }
                }
            }
        }
        return removed;
    }

    static void fsyncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot open directories for fsync; the rename is still atomic.
        }
    }

    @Override
    public String toString() {
        return "LocalDirectoryStore{" + root + "}";
    }

    private static final class LocalPending extends PendingObject {
        private final FileChannel channel;
        private final OutputStream out;
        private final Path temp;
        private final Path target;
        private boolean done;
        private boolean written;

        LocalPending(FileChannel channel, Path temp, Path target) {
            this.channel = channel;
            this.out = java.nio.channels.Channels.newOutputStream(channel);
            this.temp = temp;
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            if (!written) {
                written = true;
                CrashPoints.reached("first write to " + temp.getFileName());
            }
        }

        @Override
        public void commit() throws IOException {
            if (done) {
                throw new IOException("already closed: " + target);
            }
            try {
                channel.force(true);
                channel.close();
                CrashPoints.reached("fsynced " + temp.getFileName());
                Path dir = Objects.requireNonNull(target.getParent(), "parent of " + target);
                Files.createDirectories(dir);
                try {
                    Files.createLink(target, temp);
                    CrashPoints.reached("linked " + target.getFileName());
                    Files.delete(temp);
                    CrashPoints.reached("removed " + temp.getFileName());
                } catch (UnsupportedOperationException e) {
                    if (Files.exists(target)) {
                        throw new FileAlreadyExistsException(target.toString());
                    }
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                }
                fsyncDirectory(dir);
                CrashPoints.reached("fsynced the directory of " + target.getFileName());
                done = true;
            } finally {
                if (!done) {
                    discard();
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (!done) {
                discard();
            }
        }

        private void discard() throws IOException {
            done = true;
            try {
                channel.close();
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }
}
