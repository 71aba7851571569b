package io.opskit.backup.pitr.internal;

import io.opskit.api.Ticker;
import io.opskit.backup.pitr.WalArchive;
import io.opskit.backup.pitr.WalFileName;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool of a restore's background WAL prefetch: a directory inside the data directory
 * ({@code opskit_prefetch/}) that a {@code restore_command} of the form
 * {@code if [ -f opskit_prefetch/%f ]; then mv -f opskit_prefetch/%f "%p"; else wal-fetch --prefetch N ...; fi}
 * serves from, like pgBackRest's asynchronous archive-get.
 *
 * <p>The first {@code wal-fetch} that misses the spool fetches its file itself, records the name
 * ({@link #fetchedDirectly}) and starts one prefetcher process, which keeps the next segments on
 * the same timeline decrypted in the spool, at most {@code depth} at a time, each written to a
 * temporary name and renamed, so the shell test sees only complete files. Every spooled file is
 * an authenticated copy of the archived object of the same name, and archived names are never
 * rebound to other bytes, so a spooled file is what {@code wal-fetch} would have written; a file of
 * another timeline is never asked for under the same name. When {@code wal-fetch} asks for a
 * segment the spool does not hold (a timeline switch, a prefetcher behind), the prefetcher moves
 * on from there and drops what it spooled before. It stops, emptying and removing the spool, when
 * recovery ends ({@code recovery.signal} and {@code standby.signal} both gone), at the end of the
 * archive, or when nothing was taken for {@code idle}; the next miss starts a new one.
 */
public final class PrefetchSpool {

    private static final Logger log = LoggerFactory.getLogger(PrefetchSpool.class);
    /** Held (an OS file lock) by the live prefetcher. */
    static final String LOCK_FILE = ".prefetch.lock";
    /** The last segment a {@code wal-fetch} fetched itself, because the spool did not have it. */
    static final String WANTED_FILE = ".wanted";
    /** Touched just before a prefetcher process is started, so that the next miss does not start another. */
    static final String STARTED_FILE = ".prefetch.started";
    private static final Duration START_GRACE = Duration.ofSeconds(20);
    private static final long POLL_MILLIS = 20;

    private final WalArchive archive;
    private final Path spool;
    private final int depth;
    private final Duration idle;
    private final Ticker ticker;

    /**
     * @param archive the archive to fetch from (with its key)
     * @param spool   the spool directory, inside the data directory being recovered
     * @param depth   how many segments to keep ready
     * @param idle    how long to wait for the server to take a file before giving up
     */
    public PrefetchSpool(WalArchive archive, Path spool, int depth, Duration idle, Ticker ticker) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be positive: " + depth);
        }
        this.archive = archive;
        this.spool = spool.toAbsolutePath();
        this.depth = depth;
        this.idle = idle;
        this.ticker = ticker;
    }

    /** The spool of the data directory that {@code destination} ({@code %p}, under {@code pg_wal/}) is in. */
    public static Path of(Path destination, String directoryName) {
        Path walDir = destination.toAbsolutePath().getParent();
        Path data = walDir == null ? null : walDir.getParent();
        return (data == null ? Path.of("") : data).resolve(directoryName).toAbsolutePath();
    }

    /**
     * Called by a {@code wal-fetch} that fetched segment {@code name} itself: drops a spooled copy
     * (the server has it now) and tells the prefetcher where the server is.
     *
     * @return whether a prefetcher should be started: none holds the spool and none was started
     *         in the last few seconds
     */
    public static boolean fetchedDirectly(Path spool, String name) throws IOException {
        Files.deleteIfExists(spool.resolve(name));
        Path temp = spool.resolve(WANTED_FILE + "." + ProcessHandle.current().pid());
        Files.writeString(temp, name, StandardCharsets.US_ASCII);
        Files.move(temp, spool.resolve(WANTED_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        if (held(spool)) {
            return false;
        }
        Path started = spool.resolve(STARTED_FILE);
        try {
            FileTime at = Files.getLastModifiedTime(started);
            if (at.toMillis() > System.currentTimeMillis() - START_GRACE.toMillis()) {
                return false;
            }
        } catch (NoSuchFileException e) {
            // never started
        }
        Files.write(started, new byte[0]);
        return true;
    }

    /** Whether a live process holds the spool's lock. */
    static boolean held(Path spool) throws IOException {
        try (FileChannel ch = FileChannel.open(spool.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = ch.tryLock()) {
            return lock == null;
        } catch (OverlappingFileLockException e) {
            return true; // this JVM holds it
        }
    }

    /**
     * Prefetches the segments after {@code after} until recovery ends, the archive ends or the
     * server stops taking files; returns at once when another prefetcher holds the spool. Empties
     * the spool before returning.
     *
     * @return how many files it spooled
     */
    public int run(String after) throws IOException, InterruptedException {
        try (FileChannel ch = FileChannel.open(spool.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = ch.tryLock()) {
            if (lock == null) {
                return 0;
            }
            try {
                return prefetch(after);
            } finally {
                clear();
            }
        }
    }

    private int prefetch(String after) throws IOException, InterruptedException {
        long size = archive.walSegmentBytes().orElse(0);
        WalFileName first = WalFileName.parse(after);
        if (size == 0 || first.kind() != WalFileName.Kind.SEGMENT) {
            return 0;
        }
        long timeline = first.timeline();
        long next = first.segmentNumber(size) + 1;
        @Nullable String wanted = null;
        int spooled = 0;
        long lastProgress = ticker.read();
        int held = -1;
        while (recovering()) {
            Optional<String> w = readWanted();
            if (w.isPresent() && !w.get().equals(wanted)) {
                wanted = w.get();
                WalFileName asked = WalFileName.parse(wanted);
                long askedNumber = asked.segmentNumber(size);
                if (asked.timeline() != timeline || askedNumber >= next) {
                    timeline = asked.timeline();
                    next = askedNumber + 1;
                }
                dropBefore(timeline, askedNumber, size);
                lastProgress = ticker.read();
            }
            List<WalFileName> ready = spooled();
            if (held >= 0 && ready.size() < held) {
                lastProgress = ticker.read(); // the server took some
            }
            if (ready.size() < depth) {
                String name = WalFileName.segmentName(timeline, next, size);
                if (!archive.fetch(name, spool.resolve(name))) {
                    log.debug("WAL prefetch: {} is not archived; stopping at the end of the archive", name);
                    awaitTaken();
                    return spooled;
                }
                spooled++;
                next++;
                held = ready.size() + 1;
                lastProgress = ticker.read();
                continue;
            }
            held = ready.size();
            if (ticker.read() - lastProgress > idle.toNanos()) {
                log.debug("WAL prefetch: nothing taken for {}; stopping", idle);
                return spooled;
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS); // waiting on another process, the server
        }
        return spooled;
    }

    /**
     * At the end of the archive: keeps the spool (and the files in it) until recovery ends, so that
     * the spool is removed with it, or until the server took nothing for {@code idle}.
     */
    private void awaitTaken() throws IOException, InterruptedException {
        long lastProgress = ticker.read();
        int held = spooled().size();
        while (recovering() && ticker.read() - lastProgress < idle.toNanos()) {
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
            int now = spooled().size();
            if (now < held) {
                lastProgress = ticker.read();
            }
            held = now;
        }
    }

    /** Recovery is running while its signal file is in the data directory. */
    private boolean recovering() {
        Path data = spool.getParent();
        return data != null && (Files.exists(data.resolve("recovery.signal")) || Files.exists(data.resolve("standby.signal")));
    }

    private Optional<String> readWanted() throws IOException {
        try {
            String name = Files.readString(spool.resolve(WANTED_FILE), StandardCharsets.US_ASCII).strip();
            WalFileName parsed = WalFileName.parse(name);
            return parsed.kind() == WalFileName.Kind.SEGMENT ? Optional.of(name) : Optional.empty();
        } catch (NoSuchFileException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Drops spooled segments of other timelines and those at or before the one the server fetched itself. */
    private void dropBefore(long timeline, long number, long size) throws IOException {
        for (WalFileName f : spooled()) {
            if (f.timeline() != timeline || f.segmentNumber(size) <= number) {
                Files.deleteIfExists(spool.resolve(f.name()));
            }
        }
    }

    /** The complete segments in the spool (temporaries and bookkeeping files are not). */
    private List<WalFileName> spooled() throws IOException {
        List<WalFileName> files = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(spool)) {
            for (Path p : dir) {
                String n = String.valueOf(p.getFileName());
                if (n.length() == 24) {
                    try {
                        files.add(WalFileName.parse(n));
                    } catch (IllegalArgumentException e) {
                        // not ours
                    }
                }
            }
        }
        return files;
    }

    /** Empties the spool; removes it too once recovery has ended. */
    private void clear() throws IOException {
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(spool)) {
            for (Path p : dir) {
                if (!String.valueOf(p.getFileName()).equals(LOCK_FILE)) {
                    Files.deleteIfExists(p);
                }
            }
        }
        if (!recovering()) {
            Files.deleteIfExists(spool.resolve(LOCK_FILE));
            try {
                Files.deleteIfExists(spool);
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                // a wal-fetch wrote into it meanwhile; it is empty of segments
            }
        }
    }
}
