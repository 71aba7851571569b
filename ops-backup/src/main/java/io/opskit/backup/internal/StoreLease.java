package io.opskit.backup.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opskit.api.backup.BackupStore;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer lease kept in the store itself (an object store shared by hosts): the object
 * {@code .lock} is created only when absent, renewed and released only when its version is still
 * ours, and taken over only by a write conditional on the expired version, so exactly one writer
 * holds it at a time. A writer that dies stops renewing and its lease expires by itself.
 */
public final class StoreLease implements WriterLock {

    /** The key of the lease object. */
    public static final String KEY = ".lock";

    private static final Logger log = LoggerFactory.getLogger(StoreLease.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BackupStore store;
    private final Clock clock;
    private final Duration lease;
    private final String owner;
    private final AtomicReference<String> version;
    private final AtomicBoolean lost = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread heartbeat;

    private StoreLease(BackupStore store, Clock clock, Duration lease, String owner, String version, boolean beat) {
        this.store = store;
        this.clock = clock;
        this.lease = lease;
        this.owner = owner;
        this.version = new AtomicReference<>(version);
        this.heartbeat = new Thread(this::beat, "opskit-backup-lease-heartbeat");
        this.heartbeat.setDaemon(true);
        if (beat) {
            heartbeat.start();
        }
    }

    /**
     * Takes the lease.
     *
     * @throws LeaseLock.HeldException when another writer holds an unexpired lease
     * @throws IOException             when the store cannot be read or written
     */
    public static StoreLease acquire(BackupStore store, Clock clock, Duration lease, boolean heartbeat)
            throws LeaseLock.HeldException, IOException {
        String owner = host() + "/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID().toString().substring(0, 8);
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<BackupStore.Versioned> current = store.readVersioned(KEY);
            String expected = null;
            if (current.isPresent()) {
                LeaseLock.Holder holder = parse(current.get().bytes());
                if (holder.expiresAt().isAfter(clock.instant())) {
                    throw new LeaseLock.HeldException(holder);
                }
                expected = current.get().version();
                log.warn("taking over the backup repository lease of {} (expired {})", holder.owner(), holder.expiresAt());
            }
            Optional<String> written = store.writeIfVersion(KEY, content(owner, clock.instant().plus(lease)), expected);
            if (written.isPresent()) {
                return new StoreLease(store, clock, lease, owner, written.get(), heartbeat);
            }
        }
        Optional<BackupStore.Versioned> now = store.readVersioned(KEY);
        throw new LeaseLock.HeldException(now.map(v -> parse(v.bytes()))
                .orElse(new LeaseLock.Holder("unknown", "unknown", -1, clock.instant().plus(lease))));
    }

    static LeaseLock.Holder parse(byte[] bytes) {
        try {
            JsonNode node = JSON.readTree(bytes);
            return new LeaseLock.Holder(node.path("owner").asText("unknown"), node.path("host").asText(""),
                    node.path("pid").asLong(-1), Instant.ofEpochMilli(node.path("expiresAtMillis").asLong(0)));
        } catch (IOException | RuntimeException e) {
            return new LeaseLock.Holder("unreadable", "", -1, Instant.EPOCH);
        }
    }

    private static byte[] content(String owner, Instant expiresAt) throws IOException {
        ObjectNode node = JSON.createObjectNode();
        node.put("owner", owner);
        node.put("host", host());
        node.put("pid", ProcessHandle.current().pid());
        node.put("expiresAtMillis", expiresAt.toEpochMilli());
        node.put("expiresAt", expiresAt.toString());
        return JSON.writeValueAsBytes(node);
    }

    /**
     * Renews the lease now, conditional on our version.
     *
     * @return false when the lease is no longer ours
     */
    public boolean renew() {
        try {
            Optional<String> next = store.writeIfVersion(KEY, content(owner, clock.instant().plus(lease)), version.get());
            if (next.isEmpty()) {
                lost.set(true);
                return false;
            }
            version.set(next.get());
            return true;
        } catch (IOException e) {
            log.debug("could not renew the backup lease: {}", e.toString());
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
                log.warn("lost the backup repository lease: it expired and another writer took it");
                return;
            }
        }
    }

    @Override
    public boolean held() {
        return !lost.get() && !closed.get();
    }

    /** Releases the lease by expiring it (conditional on our version), so the next writer takes it at once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        heartbeat.interrupt();
        if (lost.get()) {
            return;
        }
        try {
            store.writeIfVersion(KEY, content(owner + " (released)", Instant.EPOCH), version.get());
        } catch (IOException e) {
            log.warn("could not release the backup lease: {}; it expires by itself", e.toString());
        }
    }

    private static @Nullable String cachedHost;

    private static synchronized String host() {
        if (cachedHost == null) {
            try {
                cachedHost = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                cachedHost = "localhost";
            }
        }
        return cachedHost;
    }
}
