package io.opskit.backup;

import io.opskit.api.backup.BackupStore;
import io.opskit.backup.internal.LeaseLock;
import io.opskit.backup.internal.StoreLease;
import io.opskit.backup.internal.WriterLock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies verified backups from one repository to another: a local repository to an off-site one
 * (the 3-2-1 rule: three copies, two media, one off-site), or back. Objects are copied byte for
 * byte, so both repositories must be opened with the key the backups were made with; the copy is
 * then verified where it arrived.
 *
 * <pre>{@code
 * BackupCopy copy = BackupCopy.builder().from(local).to(offSite).build();
 * List<BackupCopy.Result> results = copy.copyAll();
 * }</pre>
 *
 * <p>For each backup: one already in the destination with the same manifest is skipped; otherwise
 * only one whose latest verification in the source passed (at the source's
 * {@link BackupRepository#verifyLevel()} or deeper) is copied. Under the destination's writer lock, the data objects are streamed first,
 * each checked against the manifest's size and SHA-256 before it is committed, and the manifest last
 * (the commit marker), so an interrupted copy is never visible and the destination's next writer
 * removes what it left. The copy is then verified in the destination at
 * {@link Builder#verifyLevel(VerifyLevel)} (default the destination's level) and the result recorded
 * there; a copy that fails it is removed again.
 *
 * <p>Thread-safe; copies hold the destination's writer lock, so they never run beside a backup or a
 * prune of the destination.
 */
public final class BackupCopy {

    private static final Logger log = LoggerFactory.getLogger(BackupCopy.class);
    private static final String MANIFEST = "manifest.json";

    private final BackupRepository from;
    private final BackupRepository to;
    private final VerifyLevel verifyLevel;
    private final Clock clock;
    private final Duration lockLease;

    private BackupCopy(Builder b) {
        this.from = Objects.requireNonNull(b.from, "from");
        this.to = Objects.requireNonNull(b.to, "to");
        this.verifyLevel = b.verifyLevel != null ? b.verifyLevel : to.verifyLevel();
        this.clock = b.clock;
        this.lockLease = b.lockLease;
    }

    /** Starts configuring a copy. */
    public static Builder builder() {
        return new Builder();
    }

    /** What happened to one backup. */
    public sealed interface Result permits Copied, AlreadyThere, NotVerified, Conflict {
        /** The backup id. */
        String id();
    }

    /**
     * The backup was copied and passed verification in the destination.
     *
     * @param id          the backup id
     * @param storedBytes bytes copied (the stored archives, without the manifest)
     * @param level       the level it was verified at on arrival
     */
    public record Copied(String id, long storedBytes, VerifyLevel level) implements Result {
    }

    /** The destination already holds this backup, with the same manifest; nothing was copied. */
    public record AlreadyThere(String id) implements Result {
    }

    /**
     * The backup is not verified in the source (never, or its latest verification failed); it was not
     * copied. Verify it there first.
     *
     * @param id     the backup id
     * @param reason why, one line
     */
    public record NotVerified(String id, String reason) implements Result {
    }

    /**
     * The destination holds a different backup under the same id; nothing was copied or changed.
     *
     * @param id the backup id
     */
    public record Conflict(String id) implements Result {
    }

    /**
     * Copies one backup.
     *
     * @throws BackupFailedException     when there is no such backup or a store cannot be read or written
     * @throws BackupIntegrityException  when the source's bytes do not match its manifest, or the copy
     *                                   fails verification in the destination (it is removed again)
     * @throws RepositoryLockedException when another writer holds the destination
     */
    public Result copy(String id) {
        Objects.requireNonNull(id, "id");
        BackupManifest manifest = from.manifest(id);
        try (WriterLock lock = lock()) {
            return copyLocked(manifest, lock);
        }
    }

    /**
     * Copies every verified backup of the source that the destination lacks, oldest first; a backup
     * that is not verified is reported and skipped.
     *
     * @return one result per backup of the source, oldest first
     * @throws BackupFailedException     when a store cannot be read or written
     * @throws BackupIntegrityException  when a copy fails its checks (those copied before it stay)
     * @throws RepositoryLockedException when another writer holds the destination
     */
    public List<Result> copyAll() {
        List<BackupManifest> all = from.list();
        List<Result> results = new ArrayList<>();
        try (WriterLock lock = lock()) {
            for (BackupManifest manifest : all) {
                results.add(copyLocked(manifest, lock));
            }
        }
        return results;
    }

    private Result copyLocked(BackupManifest manifest, @Nullable WriterLock lock) {
        String id = manifest.id();
        BackupStore source = from.store();
        BackupStore target = to.store();
        String manifestKey = id + "/" + MANIFEST;
        try {
            byte[] manifestBytes;
            try (InputStream in = source.open(manifestKey)) {
                manifestBytes = in.readAllBytes();
            }
            if (target.size(manifestKey).isPresent()) {
                byte[] there;
                try (InputStream in = target.open(manifestKey)) {
                    there = in.readAllBytes();
                }
                return Arrays.equals(there, manifestBytes) ? new AlreadyThere(id) : new Conflict(id);
            }
            if (!manifest.verifiedAtLeast(from.verifyLevel())) {
                String why = manifest.lastVerification().filter(v -> !v.passed())
                        .map(v -> "its latest verification (level " + v.level().number() + ", " + v.verifiedAt() + ") failed")
                        .orElse("it was never verified at level " + from.verifyLevel().number() + " or deeper");
                return new NotVerified(id, "backup " + id + " is not verified in " + source + ": " + why
                        + "; verify it there first");
            }
            for (String leftover : target.list(id + "/")) {
                target.delete(leftover); // an interrupted copy: invisible without its manifest
            }
            long copied = 0;
            try {
                for (BackupManifest.SourceEntry entry : manifest.sources()) {
                    copied += copyObject(source, target, manifest, entry);
                }
                if (lock != null && !lock.held()) {
                    throw new BackupFailedException("lost the writer lock of " + target + " while copying backup " + id
                            + " (its lease expired); the copy was not committed");
                }
                try (BackupStore.PendingObject pending = target.create(manifestKey)) {
                    pending.write(manifestBytes);
                    pending.commit();
                }
            } catch (RuntimeException | IOException e) {
                removeQuietly(target, id);
                throw e;
            }
            try {
                to.verify(id, verifyLevel);
            } catch (RuntimeException e) {
                removeQuietly(target, id);
                String why = oneLine(e);
                if (e instanceof BackupIntegrityException) {
                    throw new BackupIntegrityException(id, "the copy of backup " + id + " in " + target
                            + " failed verification at level " + verifyLevel.number() + " and was removed: " + why);
                }
                throw new BackupFailedException("verifying the copy of backup " + id + " in " + target
                        + " failed and the copy was removed: " + why, e);
            }
            log.info("copied backup {} from {} to {} ({} bytes), verified at level {}", id, source, target, copied,
                    verifyLevel.number());
            return new Copied(id, copied, verifyLevel);
        } catch (NoSuchFileException e) {
            throw new BackupFailedException("backup " + id + " disappeared from " + source + " while it was copied"
                    + " (a prune there?); nothing of it was committed to " + target, e);
        } catch (IOException e) {
            throw new BackupFailedException(describeFailure("copying backup " + id + " from " + source
                    + " to " + target, e), e);
        }
    }

    /** Streams one archive, committing it only when its size and SHA-256 are the manifest's. */
    private static long copyObject(BackupStore source, BackupStore target, BackupManifest manifest,
                                   BackupManifest.SourceEntry entry) throws IOException {
        MessageDigest sha = sha256();
        long n;
        try (InputStream in = new DigestInputStream(source.open(entry.object()), sha);
             BackupStore.PendingObject out = target.create(entry.object())) {
            n = in.transferTo(out);
            String digest = HexFormat.of().formatHex(sha.digest());
            if (n != entry.storedBytes() || !digest.equals(entry.sha256())) {
                throw new BackupIntegrityException(manifest.id(), "backup " + manifest.id() + " source " + entry.name()
                        + " in " + source + " does not match its manifest (" + n + " bytes, sha256 " + digest
                        + "; the manifest says " + entry.storedBytes() + " bytes, " + entry.sha256()
                        + "); it was not copied: verify it there");
            }
            out.commit();
        }
        return n;
    }

    private static void removeQuietly(BackupStore store, String id) {
        try {
            store.delete(id + "/" + MANIFEST);
            for (String key : store.list(id + "/")) {
                store.delete(key);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("could not remove the partial copy of backup {}: {}; the next writer removes it", id, e.toString());
        }
    }

    /** The destination's writer lock, where {@link BackupRepository} keeps it. */
    private @Nullable WriterLock lock() {
        BackupStore store = to.store();
        try {
            if (store instanceof LocalDirectoryStore local) {
                return LeaseLock.acquire(local.root(), clock, lockLease, true);
            }
            if (store.supportsConditionalWrites()) {
                return StoreLease.acquire(store, clock, lockLease, true);
            }
            throw new BackupFailedException("cannot lock " + store + " for a copy: it is neither a local directory nor"
                    + " a store with conditional writes");
        } catch (LeaseLock.HeldException e) {
            throw new RepositoryLockedException(e.holder().owner(), e.holder().expiresAt());
        } catch (IOException e) {
            throw new BackupFailedException(describeFailure("locking " + store, e), e);
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return (m == null || m.isBlank() ? e.getClass().getSimpleName() : m).replaceAll("\\R", " ");
    }

    private static String describeFailure(String what, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.contains("No space left")) {
                return what + " failed: no space left on the device of the destination; free space there and try"
                        + " again (nothing partial of the copy is visible)";
            }
        }
        return what + " failed: " + oneLine(e);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether two stores are the same local directory. */
    private static boolean sameDirectory(BackupStore a, BackupStore b) {
        if (a instanceof LocalDirectoryStore la && b instanceof LocalDirectoryStore lb) {
            try {
                return Files.isSameFile(la.root(), lb.root());
            } catch (IOException e) {
                return la.root().equals(lb.root());
            }
        }
        return a == b;
    }

    /**
     * Configures a {@link BackupCopy}. Each setter validates its value at once; single-valued
     * properties may be set once. Not thread-safe.
     */
    public static final class Builder {
        private @Nullable BackupRepository from;
        private @Nullable BackupRepository to;
        private @Nullable VerifyLevel verifyLevel;
        private @Nullable Clock clockSet;
        private Clock clock = Clock.systemUTC();
        private @Nullable Duration lockLeaseSet;
        private Duration lockLease = Duration.ofMinutes(2);

        private Builder() {
        }

        /**
         * The repository to copy from. Required.
         *
         * @throws IllegalStateException when already set
         */
        public Builder from(BackupRepository repository) {
            Objects.requireNonNull(repository, "from");
            if (from != null) {
                throw new IllegalStateException("from was already set");
            }
            this.from = repository;
            return this;
        }

        /**
         * The repository to copy to, opened with the same key as the source. Required.
         *
         * @throws IllegalStateException when already set
         */
        public Builder to(BackupRepository repository) {
            Objects.requireNonNull(repository, "to");
            if (to != null) {
                throw new IllegalStateException("to was already set");
            }
            this.to = repository;
            return this;
        }

        /**
         * The level each copy is verified at in the destination; default the destination's
         * {@link BackupRepository#verifyLevel()}.
         *
         * @throws IllegalStateException when already set
         */
        public Builder verifyLevel(VerifyLevel level) {
            Objects.requireNonNull(level, "verifyLevel");
            if (verifyLevel != null) {
                throw new IllegalStateException("verifyLevel was already set");
            }
            this.verifyLevel = level;
            return this;
        }

        /**
         * The clock of the destination's writer lease; default the UTC system clock.
         *
         * @throws IllegalStateException when already set
         */
        public Builder clock(Clock clock) {
            Objects.requireNonNull(clock, "clock");
            if (clockSet != null) {
                throw new IllegalStateException("clock was already set");
            }
            this.clockSet = clock;
            this.clock = clock;
            return this;
        }

        /**
         * How long the destination's writer lock lasts without renewal (renewed every third of it);
         * default 2 minutes, as {@link BackupRepository.Builder#lockLease(Duration)}.
         *
         * @throws IllegalArgumentException when shorter than one second
         * @throws IllegalStateException    when already set
         */
        public Builder lockLease(Duration lease) {
            Objects.requireNonNull(lease, "lockLease");
            if (lockLeaseSet != null) {
                throw new IllegalStateException("lockLease was already set");
            }
            if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("lockLease must be at least 1 second: " + lease);
            }
            this.lockLeaseSet = lease;
            this.lockLease = lease;
            return this;
        }

        /**
         * Builds the copy.
         *
         * @throws IllegalStateException    when {@code from} or {@code to} is missing
         * @throws IllegalArgumentException when both are the same repository
         */
        public BackupCopy build() {
            if (from == null) {
                throw new IllegalStateException("from is required: the repository to copy from");
            }
            if (to == null) {
                throw new IllegalStateException("to is required: the repository to copy to");
            }
            if (sameDirectory(from.store(), to.store())) {
                throw new IllegalArgumentException("to must be another repository than from: " + to.store());
            }
            return new BackupCopy(this);
        }
    }
}
