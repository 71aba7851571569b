package io.opskit.backup.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opskit.api.backup.BackupStore;
import io.opskit.backup.LocalDirectoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The writer lease of a repository seen from outside a writer, for an operator: who holds it, and
 * breaking it when that writer is known to be gone. It reads and breaks whichever lease the
 * repository uses: the {@code .lock} file of a local directory ({@link LeaseLock}) or the
 * {@code .lock} object of a store with conditional writes ({@link StoreLease}). A writer whose lease
 * was broken finds it no longer its own at its next renewal and does not commit.
 */
public final class RepositoryLease {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RepositoryLease() {
    }

    /** The current holder as its lease records it, or empty when the repository is not locked. */
    public static Optional<LeaseLock.Holder> holder(BackupStore store) throws IOException {
        if (store instanceof LocalDirectoryStore local) {
            Path file = local.root().resolve(StoreLease.KEY);
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            LeaseLock.Holder holder = LeaseLock.read(file);
            return Optional.of(holder != null ? holder : new LeaseLock.Holder("unreadable", "", -1, Instant.EPOCH));
        }
        requireLeaseInStore(store);
        return store.readVersioned(StoreLease.KEY).map(v -> StoreLease.parse(v.bytes()));
    }

    /**
     * Whether the holder's lease is still running at {@code now}. A lease released by its holder
     * (expiry at the epoch) or expired is not.
     */
    public static boolean live(LeaseLock.Holder holder, Clock clock) {
        return holder.expiresAt().isAfter(clock.instant());
    }

    /** How long the holder's lease still runs at {@code now} (zero when it has expired). */
    public static Duration remaining(LeaseLock.Holder holder, Clock clock) {
        Duration left = Duration.between(clock.instant(), holder.expiresAt());
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * Breaks the lease: removes the lock file (moved aside atomically first) or expires the lease
     * object by a write conditional on the version just read.
     *
     * @return the holder whose lease was broken, or empty when there was none
     * @throws IOException when the lease cannot be read or written, or changed while being broken
     */
    public static Optional<LeaseLock.Holder> breakLease(BackupStore store, String by) throws IOException {
        if (store instanceof LocalDirectoryStore local) {
            Path file = local.root().resolve(StoreLease.KEY);
            Optional<LeaseLock.Holder> holder = holder(store);
            if (holder.isEmpty()) {
                return holder;
            }
            Path tmp = local.root().resolve(".tmp");
            Files.createDirectories(tmp);
            Path aside = tmp.resolve("broken-lock-" + UUID.randomUUID() + ".part");
            try {
                Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                return Optional.empty(); // released meanwhile
            }
            Files.deleteIfExists(aside);
            return holder;
        }
        requireLeaseInStore(store);
        Optional<BackupStore.Versioned> current = store.readVersioned(StoreLease.KEY);
        if (current.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode node = JSON.createObjectNode();
        node.put("owner", "broken by " + by);
        node.put("host", "");
        node.put("pid", -1);
        node.put("expiresAtMillis", 0L);
        node.put("expiresAt", Instant.EPOCH.toString());
        if (store.writeIfVersion(StoreLease.KEY, JSON.writeValueAsBytes(node), current.get().version()).isEmpty()) {
            throw new IOException("the lease changed while it was being broken (a writer renewed or took it); look"
                    + " at it again");
        }
        return Optional.of(StoreLease.parse(current.get().bytes()));
    }

    private static void requireLeaseInStore(BackupStore store) {
        if (!store.supportsConditionalWrites()) {
            throw new IllegalArgumentException("store " + store + " keeps no writer lease of its own (it has no"
                    + " conditional writes): its lock lives in the lock directory the repository was built with");
        }
    }
}
