package io.opskit.backup;

import io.opskit.api.backup.RestoreOptions;
import io.opskit.api.backup.RestoreStrategy;
import io.opskit.api.backup.RestoreTarget;
import io.opskit.api.backup.SnapshotArchive;
import io.opskit.backup.internal.ChildProcess;
import io.opskit.backup.internal.CrashPoints;
import io.opskit.backup.internal.Leftovers;
import io.opskit.backup.internal.RedisSource;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in strategy of kind {@code redis}: writes the RDB snapshot as {@code dump.rdb} into a
 * {@link RestoreTarget.Directory}, with {@code RESTORE-REDIS.txt} beside it saying how to load it
 * (a running server cannot take a snapshot in; it loads one at start). The file is written to a
 * temporary name, checked, flushed and renamed into place; with force over an existing
 * {@code dump.rdb} the old one is hard-linked aside first. The check, at restore and at level 3, is
 * {@code redis-check-rdb} when it is on the {@code PATH} (it reads every key and the checksum),
 * otherwise the RDB header and end marker.
 */
final class RedisRestoreStrategy implements RestoreStrategy {

    static final String FILE_NAME = "dump.rdb";
    static final String INSTRUCTIONS = "RESTORE-REDIS.txt";

    private static final Logger log = LoggerFactory.getLogger(RedisRestoreStrategy.class);
    private static final DateTimeFormatter ASIDE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Clock clock;

    RedisRestoreStrategy(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String kind() {
        return RedisSource.KIND;
    }

    @Override
    public RestoreTarget target(String text) {
        return RestoreTarget.directory(Path.of(text));
    }

    @Override
    public Optional<String> refusal(RestoreTarget target, RestoreOptions options) {
        Path dir = FilesRestoreStrategy.directory(target, kind());
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            return Optional.of("restore target " + dir + " is not a directory; a Redis backup restores to a directory"
                    + " (it writes " + FILE_NAME + " there)");
        }
        if (!options.force() && Files.exists(dir.resolve(FILE_NAME), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of("restore target " + dir.resolve(FILE_NAME) + " exists; restore with --force to replace it"
                    + " (the current file is kept aside under a dated name)");
        }
        return Optional.empty();
    }

    @Override
    public void check(SnapshotArchive archive, Path scratchDirectory) throws IOException {
        Leftovers.remove(scratchDirectory, "opskit-verify-", ".rdb");
        Path scratch = Files.createTempFile(scratchDirectory, "opskit-verify-" + Leftovers.ownerTag(), ".rdb");
        try {
            try (FileChannel channel = FileChannel.open(scratch, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                copy(archive.snapshot(), channel);
            }
            archive.finish();
            String problem = checkRdb(scratch);
            if (!problem.isEmpty()) {
                throw new BackupIntegrityException(archive.backupId(), "test restore of backup " + archive.backupId()
                        + " source " + archive.sourceName() + " failed: " + problem);
            }
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    @Override
    public void restore(SnapshotArchive archive, RestoreTarget restoreTarget, RestoreOptions options) throws IOException {
        Path dir = FilesRestoreStrategy.directory(restoreTarget, kind());
        Files.createDirectories(dir);
        Path target = dir.resolve(FILE_NAME);
        String prefix = "." + FILE_NAME + ".restore-";
        Leftovers.remove(dir, prefix, ".tmp");
        Leftovers.remove(dir, "." + INSTRUCTIONS + ".restore-", ".tmp");
        Path temp = dir.resolve(prefix + Leftovers.ownerTag() + UUID.randomUUID() + ".tmp");
        try {
            CrashPoints.reached("write " + temp.getFileName());
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                copy(archive.snapshot(), channel);
                archive.finish();
                channel.force(true);
            }
            String problem = checkRdb(temp);
            if (!problem.isEmpty()) {
                throw new BackupIntegrityException(archive.backupId(), "restored Redis snapshot failed its check: " + problem
                        + "; the target was not touched");
            }
            boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
            if (exists && !options.force()) {
                throw new RestoreRefusedException("restore target " + target + " exists; restore with --force to replace it");
            }
            if (exists) {
                Path aside = SqliteRestoreStrategy.unused(dir.resolve(FILE_NAME + ".before-restore-" + ASIDE.format(clock.instant())));
                CrashPoints.reached("link " + FILE_NAME + " aside");
                Files.createLink(aside, target);
                log.info("restore: previous {} kept as {}", FILE_NAME, aside);
            }
            CrashPoints.reached("rename " + temp.getFileName() + " as " + FILE_NAME);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            writeInstructions(dir, archive);
            LocalDirectoryStore.fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void writeInstructions(Path dir, SnapshotArchive archive) throws IOException {
        String text = "This directory holds " + FILE_NAME + ", the Redis snapshot of source '" + archive.sourceName()
                + "' in backup " + archive.backupId() + ".\n\n"
                + "A Redis server loads a snapshot only when it starts. To restore:\n"
                + "  1. Stop the server (redis-cli SHUTDOWN NOSAVE, so it does not overwrite the file on the way out).\n"
                + "  2. Copy " + FILE_NAME + " to the server's directory under its file name (CONFIG GET dir, CONFIG GET\n"
                + "     dbfilename), owned by the user the server runs as.\n"
                + "  3. With append-only files on (appendonly yes), the server would load the AOF instead: start it once\n"
                + "     with appendonly no, then run CONFIG SET appendonly yes to rewrite the AOF from the loaded data.\n"
                + "  4. Start the server and check DBSIZE.\n\n"
                + "Or start a server on this directory directly:\n"
                + "  redis-server --dir " + dir + " --dbfilename " + FILE_NAME + " --appendonly no\n";
        Path file = dir.resolve(INSTRUCTIONS);
        Path temp = dir.resolve("." + INSTRUCTIONS + ".restore-" + Leftovers.ownerTag() + UUID.randomUUID() + ".tmp");
        try {
            CrashPoints.reached("write " + INSTRUCTIONS);
            Files.writeString(temp, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            CrashPoints.reached("rename " + temp.getFileName() + " as " + INSTRUCTIONS);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Checks an RDB file.
     *
     * @return empty when it passes, else what is wrong
     */
    static String checkRdb(Path file) throws IOException {
        Optional<Path> tool = onPath("redis-check-rdb");
        if (tool.isPresent()) {
            try {
                String out = ChildProcess.run(List.of(tool.get().toString(), file.toString()), Map.of(), null, null);
                if (!out.contains("RDB looks OK")) {
                    return "redis-check-rdb did not say the RDB looks OK: " + lastLine(out);
                }
                return "";
            } catch (IOException e) {
                return "redis-check-rdb: " + e.getMessage();
            }
        }
        log.debug("redis-check-rdb is not on the PATH; checking only the RDB header and end marker of {}", file);
        long size = Files.size(file);
        if (size < 18) {
            return "the file has " + size + " bytes, too few for an RDB";
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(9);
            channel.read(head, 0);
            String magic = new String(head.array(), 0, 5, StandardCharsets.US_ASCII);
            if (!magic.equals("REDIS")) {
                return "the file does not start with the RDB magic REDIS";
            }
            java.nio.ByteBuffer end = java.nio.ByteBuffer.allocate(1);
            channel.read(end, size - 9);
            if ((end.get(0) & 0xFF) != 0xFF) {
                return "the file does not end with the RDB end marker and checksum";
            }
        }
        return "";
    }

    private static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }

    private static Optional<Path> onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static void copy(InputStream in, FileChannel channel) throws IOException {
        OutputStream out = Channels.newOutputStream(channel);
        byte[] buffer = new byte[32 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
        }
    }
}
