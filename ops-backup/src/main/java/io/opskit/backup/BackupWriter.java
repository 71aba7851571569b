package io.opskit.backup;

import io.opskit.api.Redactor;
import io.opskit.api.backup.BackupSource;
import io.opskit.api.backup.BackupStore;
import io.opskit.api.backup.KeyProvider;
import io.opskit.api.notify.Severity;
import io.opskit.backup.internal.ChunkPipe;
import io.opskit.backup.internal.CrashPoints;
import io.opskit.backup.internal.LeaseLock;
import io.opskit.backup.internal.SegmentedAead;
import io.opskit.backup.internal.SizeHint;
import io.opskit.backup.internal.StoreLease;
import io.opskit.backup.internal.WriterLock;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes backups: takes the writer lock, clears what crashed writers left, snapshots each source
 * through compression and encryption into a pending object, verifies the fresh backup and commits
 * its manifest last (the commit marker). Thread-safe: concurrent writers exclude each other through
 * the lock.
 */
final class BackupWriter {

    private static final Logger log = LoggerFactory.getLogger(BackupWriter.class);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BackupStore store;
    private final Supplier<KeyProvider> keys;
    private final List<BackupSource> sources;
    private final Compression compression;
    private final VerifyLevel verifyLevel;
    private final boolean verifyAfterBackup;
    private final Clock clock;
    private final Duration lockLease;
    private final @Nullable Path lockDirectory;
    private final int compressionWorkers;
    private final BackupMetrics metrics;
    private final BackupEvents events;
    private final BackupCatalogue catalogue;
    private final BackupVerifier verifier;

    BackupWriter(BackupStore store, Supplier<KeyProvider> keys, List<BackupSource> sources, Compression compression,
                 VerifyLevel verifyLevel, boolean verifyAfterBackup, Clock clock, Duration lockLease,
                 @Nullable Path lockDirectory, int compressionWorkers, BackupMetrics metrics, BackupEvents events,
                 BackupCatalogue catalogue, BackupVerifier verifier) {
        this.store = store;
        this.keys = keys;
        this.sources = sources;
        this.compression = compression;
        this.verifyLevel = verifyLevel;
        this.verifyAfterBackup = verifyAfterBackup;
        this.clock = clock;
        this.lockLease = lockLease;
        this.lockDirectory = lockDirectory;
        this.compressionWorkers = compressionWorkers;
        this.metrics = metrics;
        this.events = events;
        this.catalogue = catalogue;
        this.verifier = verifier;
    }

    /** See {@link BackupRepository#backup(BackupProgress)}. */
    BackupManifest backup(BackupProgress progress) {
        if (sources.isEmpty()) {
            throw new IllegalStateException("no backup source configured: add one with builder().source(...)");
        }
        List<String> names = sources.stream().map(BackupSource::name).toList();
        try {
            BackupManifest made = backupOnce(progress);
            events.publish(BackupEvents.SUCCEEDED, Severity.INFO, names, "backup " + made.id() + " of " + events.repository()
                    + " committed (" + made.storedBytes() + " bytes stored)",
                    Map.of("backup_id", made.id(), "stored_bytes", String.valueOf(made.storedBytes())));
            return made;
        } catch (RuntimeException e) {
            String reason = e instanceof RepositoryLockedException ? "locked"
                    : e instanceof BackupIntegrityException ? "verification"
                    : BackupRepository.isDiskFull(e) ? "disk_full" : "source";
            events.publish(BackupEvents.FAILED, Severity.CRITICAL, names, "backup of " + events.repository() + " failed: "
                    + Redactor.redact(BackupRepository.oneLine(e)), Map.of("reason", reason));
            throw e;
        }
    }

    private BackupManifest backupOnce(BackupProgress progress) {
        KeyProvider keys = this.keys.get();
        long started = System.nanoTime();
        Instant createdAt = clock.instant();
        String id = ID_TIME.format(createdAt) + "-" + HexFormat.of().formatHex(randomBytes(3));
        // The key id is read once: a rotating provider must not give the header one key and the manifest another.
        String keyId = keys.currentKeyId();
        byte[] master = keys.key(keyId);
        try (WriterLock lock = lock()) {
            CrashPoints.reached("took the writer lock");
            clearDebris();
            CrashPoints.reached("cleared leftovers");
            List<BackupManifest.SourceEntry> entries = new ArrayList<>();
            try {
                ProgressMeter tracker = new ProgressMeter(progress, expectedBytes());
                for (BackupSource source : sources) {
                    entries.add(writeSource(id, source, keyId, master, tracker));
                }
                tracker.done();
                BackupManifest manifest = new BackupManifest(id, createdAt, clock.instant(), compression.toString(),
                        keyId, entries, software(), List.of());
                if (verifyAfterBackup) {
                    verifier.verifySources(manifest, verifyLevel);
                    manifest = manifest.withVerification(BackupManifest.Verification.passed(verifyLevel, clock.instant()));
                }
                if (lock != null && !lock.held()) {
                    throw new BackupFailedException("lost the repository lock during backup " + id
                            + " (its lease expired); the backup was not committed");
                }
                byte[] macKey = ManifestJson.macKey(master);
                CrashPoints.reached("verified backup " + id + ", manifest next");
                commit(store, id + "/" + BackupCatalogue.MANIFEST, ManifestJson.write(manifest, compression, macKey));
                CrashPoints.reached("committed the manifest of " + id);
                Arrays.fill(macKey, (byte) 0);
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                metrics.backupSucceeded(took, manifest.storedBytes(), clock.instant());
                manifest.verified().ifPresent(v -> metrics.verified(v.verifiedAt()));
                log.info("backup {} committed: {} sources, {} bytes stored, {} ms", id, entries.size(),
                        manifest.storedBytes(), took.toMillis());
                return manifest;
            } catch (RuntimeException | IOException e) {
                removeQuietly(id);
                throw e;
            }
        } catch (RepositoryLockedException e) {
            metrics.backupFailed("locked", Duration.ofNanos(System.nanoTime() - started));
            throw e;
        } catch (BackupIntegrityException e) {
            metrics.backupFailed("verification", Duration.ofNanos(System.nanoTime() - started));
            throw e;
        } catch (BackupFailedException e) {
            metrics.backupFailed("source", Duration.ofNanos(System.nanoTime() - started));
            throw e;
        } catch (IOException e) {
            String reason = BackupRepository.isDiskFull(e) ? "disk_full" : "io";
            metrics.backupFailed(reason, Duration.ofNanos(System.nanoTime() - started));
            throw new BackupFailedException(BackupRepository.describeFailure("backup " + id, e), e);
        } finally {
            Arrays.fill(master, (byte) 0);
        }
    }

    private long expectedBytes() {
        long total = 0;
        for (BackupSource source : sources) {
            long n = source instanceof SizeHint hint ? hint.expectedBytes() : -1;
            if (n < 0) {
                return -1;
            }
            total += n;
        }
        return total;
    }

    private BackupManifest.SourceEntry writeSource(String id, BackupSource source, String keyId, byte[] master,
                                                   ProgressMeter progress) throws IOException {
        String key = id + "/" + source.name() + ".bin";
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        try (BackupStore.PendingObject pending = store.create(key)) {
            HashingOutput hashed = new HashingOutput(pending);
            OutputStream encrypted = SegmentedAead.encrypt(hashed, master, keyId,
                    SegmentedAead.DEFAULT_SEGMENT_SIZE, new SegmentedAead.Binding(id, source.name(), source.kind()));
            ChunkPipe pipe = new ChunkPipe(8, 1 << 18);
            long[] counted = new long[1];
            // Stage 1 (its own thread, plus zstd's workers): snapshot and compress.
            Thread producer = new Thread(() -> {
                // Large writes into the codec: zstd-jni pays a native call per write.
                try (OutputStream compressed = new BufferedOutputStream(
                        compression.compress(pipe.producer(), compressionWorkers), 1 << 20)) {
                    OutputStream counting = new FilterOutputStream(compressed) {
                        @Override
                        public void write(int b) throws IOException {
                            write(new byte[] {(byte) b}, 0, 1);
                        }

                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            out.write(b, off, len);
                            counted[0] += len;
                            progress.add(len);
                        }

                        @Override
                        public void close() {
                            // The source must not close the pipeline.
                        }
                    };
                    source.writeSnapshot(counting);
                } catch (Throwable t) {
                    producerFailure.set(t);
                }
            }, "opskit-backup-snapshot-" + source.name());
            producer.setDaemon(true);
            producer.start();
            // Stage 2 (this thread): encrypt, hash, write.
            try {
                pipe.drainTo(encrypted, () -> producerFailure.get() != null);
            } finally {
                try {
                    producer.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Throwable failed = producerFailure.get();
            if (failed != null) {
                throw new BackupFailedException("backup " + id + " source " + source.name() + " failed: "
                        + BackupRepository.oneLine(failed), failed);
            }
            encrypted.close(); // writes the final segment
            pending.commit();
            return new BackupManifest.SourceEntry(source.name(), source.kind(), key, counted[0], hashed.count, hashed.hex());
        }
    }

    /** Writes one small object atomically (all or nothing visible). */
    static void commit(BackupStore store, String key, byte[] bytes) throws IOException {
        try (BackupStore.PendingObject pending = store.create(key)) {
            pending.write(bytes);
            pending.commit();
        }
    }

    /** Takes the writer lock (null when the store has nowhere to hold one). */
    @Nullable WriterLock lock() {
        if (lockDirectory == null && !store.supportsConditionalWrites()) {
            return null;
        }
        try {
            if (lockDirectory == null) {
                return StoreLease.acquire(store, clock, lockLease, true);
            }
            return LeaseLock.acquire(lockDirectory, clock, lockLease, true);
        } catch (LeaseLock.HeldException e) {
            throw new RepositoryLockedException(e.holder().owner(), e.holder().expiresAt());
        } catch (IOException e) {
            throw new BackupFailedException(BackupRepository.describeFailure("locking the repository", e), e);
        }
    }

    /** Removes what crashed writers left: temporaries and backups without a manifest. Caller holds the lock. */
    void clearDebris() throws IOException {
        if (store instanceof LocalDirectoryStore local) {
            int removed = local.clearTemporaries();
            if (removed > 0) {
                log.info("removed {} temporary files left by an interrupted backup", removed);
            }
        } else {
            int removed = store.removeIncomplete(lockLease.multipliedBy(2));
            if (removed > 0) {
                log.info("removed {} incomplete uploads left by an interrupted writer", removed);
            }
        }
        for (Map.Entry<String, List<String>> e : catalogue.objectsById().entrySet()) {
            if (!e.getValue().contains(e.getKey() + "/" + BackupCatalogue.MANIFEST)) {
                log.info("removing incomplete backup {} (no manifest: it was interrupted)", e.getKey());
                for (String key : e.getValue()) {
                    store.delete(key);
                }
            }
        }
    }

    private void removeQuietly(String id) {
        try {
            for (String key : store.list(id + "/")) {
                store.delete(key);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("could not remove the failed backup {}: {}", id, e.toString());
        }
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static Map<String, String> software() {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("opskit-backup", Versions.OPSKIT);
        versions.put("archive-format", String.valueOf(SegmentedAead.FORMAT_VERSION));
        versions.put("java", System.getProperty("java.version", "unknown"));
        versions.put("zstd-jni", Versions.ZSTD_JNI);
        versions.put("sqlite-jdbc", Versions.SQLITE_JDBC);
        versions.put("jackson", com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString());
        return versions;
    }

    /** Counts and hashes what goes into the store. */
    private static final class HashingOutput extends FilterOutputStream {
        private final MessageDigest sha;
        long count;

        HashingOutput(OutputStream out) {
            super(out);
            try {
                this.sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            sha.update(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            out.flush(); // the pending object is committed by its owner, never closed here
        }

        String hex() {
            return HexFormat.of().formatHex(sha.digest());
        }
    }
}
