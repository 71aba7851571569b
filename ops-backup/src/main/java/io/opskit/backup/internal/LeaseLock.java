package io.opskit.backup.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per repository: a lock file holding its owner and a lease expiry, renewed by a
 * heartbeat thread every third of the lease. A lease that is not renewed expires by itself, so a
 * crashed writer blocks others for at most one lease (and not at all when it ran on this host and
 * its process is gone). Taking over an expired lock renames it away first, which only one
 * contender can do.
 */
public final class LeaseLock implements WriterLock {

    private static final Logger log = LoggerFactory.getLogger(LeaseLock.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOST = hostName();

    /** The holder of a lock, as read from its file. */
    public record Holder(String owner, String host, long pid, Instant expiresAt) {
    }

    /** Thrown when another live writer holds the lock. */
    public static final class HeldException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Holder holder;

        HeldException(Holder holder) {
            super("held by " + holder.owner());
            this.holder = holder;
        }

        /** The current holder. */
        public Holder holder() {
            return holder;
        }
    }

    private final Path file;
    private final Path tmpDir;
    private final Clock clock;
    private final Duration lease;
    private final String owner;
    private final AtomicBoolean lost = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread heartbeat;

    private LeaseLock(Path file, Path tmpDir, Clock clock, Duration lease, String owner, boolean startHeartbeat) {
        this.file = file;
        this.tmpDir = tmpDir;
        this.clock = clock;
        this.lease = lease;
        this.owner = owner;
        this.heartbeat = new Thread(this::beat, "opskit-backup-lock-heartbeat");
        this.heartbeat.setDaemon(true);
        if (startHeartbeat) {
            heartbeat.start();
        }
    }

    /**
     * Takes the lock in {@code directory} (file {@code .lock}).
     *
     * @param heartbeat whether to renew the lease in the background (tests drive time themselves)
     * @throws HeldException when another live writer holds it
     * @throws IOException   when the lock file cannot be written
     */
    public static LeaseLock acquire(Path directory, Clock clock, Duration lease, boolean heartbeat)
            throws HeldException, IOException {
        Path file = directory.resolve(".lock");
        Path tmpDir = directory.resolve(".tmp");
        Files.createDirectories(tmpDir);
        String owner = HOST + "/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID().toString().substring(0, 8);
        for (int attempt = 0; attempt < 5; attempt++) {
            Path tmp = tmpDir.resolve("lock-" + UUID.randomUUID() + ".part");
            Files.write(tmp, content(owner, clock.instant().plus(lease)));
            try {
                Files.createLink(file, tmp);
                return new LeaseLock(file, tmpDir, clock, lease, owner, heartbeat);
            } catch (FileAlreadyExistsException e) {
                Holder holder = read(file);
                if (holder == null) {
                    continue;
                }
                boolean expired = holder.expiresAt().isBefore(clock.instant());
                boolean deadHere = holder.host().equals(HOST) && holder.pid() != ProcessHandle.current().pid()
                        && ProcessHandle.of(holder.pid()).map(p -> !p.isAlive()).orElse(true);
                if (!expired && !deadHere) {
                    throw new HeldException(holder);
                }
                Path stale = tmpDir.resolve("stale-lock-" + UUID.randomUUID() + ".part");
                try {
                    Files.move(file, stale, StandardCopyOption.ATOMIC_MOVE);
                    log.warn("took over the backup repository lock of {} (lease {}, {})", holder.owner(),
                            expired ? "expired" : "held by a process that is gone", holder.expiresAt());
                    Files.deleteIfExists(stale);
                } catch (NoSuchFileException gone) {
                    // Another contender moved it first; try again.
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        Holder holder = read(file);
        throw new HeldException(holder != null ? holder : new Holder("unknown", "unknown", -1, clock.instant().plus(lease)));
    }

    /** Reads the current holder, or null when there is no lock file or it cannot be parsed. */
    public static @org.jspecify.annotations.Nullable Holder read(Path file) {
        try {
            JsonNode node = JSON.readTree(Files.readAllBytes(file));
            return new Holder(node.path("owner").asText("unknown"), node.path("host").asText(""),
                    node.path("pid").asLong(-1), Instant.ofEpochMilli(node.path("expiresAtMillis").asLong(0)));
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] content(String owner, Instant expiresAt) throws IOException {
        ObjectNode node = JSON.createObjectNode();
        node.put("owner", owner);
        node.put("host", HOST);
        node.put("pid", ProcessHandle.current().pid());
        node.put("expiresAtMillis", expiresAt.toEpochMilli());
        node.put("expiresAt", expiresAt.toString());
        return JSON.writeValueAsBytes(node);
    }

    /**
     * Renews the lease now.
     *
     * @return false when the lock is no longer ours (it expired and was taken over)
     */
    public boolean renew() {
        Holder holder = read(file);
        if (holder == null || !holder.owner().equals(owner)) {
            lost.set(true);
            return false;
        }
        try {
            Path tmp = tmpDir.resolve("lock-" + UUID.randomUUID() + ".part");
            Files.write(tmp, content(owner, clock.instant().plus(lease)));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException e) {
            log.debug("could not renew the backup lock lease: {}", e.toString());
            return true;
        }
    }

    private void beat() {
        long pauseMillis = Math.max(50, lease.toMillis() / 3);
        while (!closed.get()) {
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                return;
            }
            if (!closed.get() && !renew()) {
                log.warn("lost the backup repository lock: its lease expired and another writer took it");
                return;
            }
        }
    }

    /** True while the lock is still ours as far as this writer knows. */
    @Override
    public boolean held() {
        return !lost.get() && !closed.get();
    }

    /** This lock's owner string. */
    public String owner() {
        return owner;
    }

    /** Releases the lock if it is still ours. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        heartbeat.interrupt();
        Holder holder = read(file);
        if (holder != null && holder.owner().equals(owner)) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("could not remove the backup lock {}: {}; it expires by itself", file, e.toString());
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
