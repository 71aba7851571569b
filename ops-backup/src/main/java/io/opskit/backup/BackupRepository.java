package io.opskit.backup;

import io.micrometer.core.instrument.MeterRegistry;
import io.opskit.api.backup.BackupSource;
import io.opskit.api.backup.BackupStore;
import io.opskit.api.backup.KeyProvider;
import io.opskit.api.backup.RestoreOptions;
import io.opskit.api.backup.RestoreStrategy;
import io.opskit.api.backup.RestoreTarget;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.Severity;
import io.opskit.backup.health.BackupFreshnessCheck;
import io.opskit.backup.internal.SqliteSource;
import io.opskit.backup.internal.WriterLock;
import io.opskit.backup.retention.BackupRecord;
import io.opskit.backup.retention.RetentionLimitExceededException;
import io.opskit.backup.retention.RetentionPlan;
import io.opskit.backup.retention.RetentionPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front door of ops-backup: a repository of encrypted, verified backups of some sources.
 * {@link #backup()} snapshots every source, compresses, encrypts and commits it atomically, with
 * the manifest written last as the commit marker; {@link #list()}, {@link #verify(String, VerifyLevel)}
 * and {@link #restore(String, String, RestoreTarget, RestoreOptions)} work on what is committed.
 *
 * <pre>{@code
 * BackupRepository repo = BackupRepository.builder()
 *         .directory(Path.of("backups"))
 *         .keyProvider(KeyFile.load(Path.of("backup.key")))
 *         .source(BackupSources.sqlite("app-db", Path.of("app.db")))
 *         .build();
 * BackupManifest made = repo.backup();
 * }</pre>
 *
 * <p>Thread-safe. Backups (and applying a prune) take the repository's writer lock, a lease file
 * renewed in the background that expires by itself if the writer dies; a second writer gets
 * {@link RepositoryLockedException}. Reading operations take no lock.
 *
 * <p>This class is the front door only: writing backups, the catalogue of what the store holds,
 * verification and restores are each done by their own package-private class, which it wires from
 * the builder's configuration and delegates to.
 */
public final class BackupRepository {

    private static final Logger log = LoggerFactory.getLogger(BackupRepository.class);

    private final BackupStore store;
    private final @Nullable KeyProvider keys;
    private final List<BackupSource> sources;
    private final VerifyLevel verifyLevel;
    private final Clock clock;
    private final BackupMetrics metrics;
    private final Restorer restorer;
    private final BackupEvents events;
    private final BackupCatalogue catalogue;
    private final BackupVerifier verifier;
    private final BackupWriter writer;

    private BackupRepository(Builder b) {
        this.store = Objects.requireNonNull(b.store, "store"); // build() checked it
        this.keys = b.keys;
        Path snapshotDirectory = b.snapshotDirectory;
        this.sources = b.sources.stream()
                .map(s -> snapshotDirectory != null && s instanceof SqliteSource sqlite
                        ? sqlite.withDefaultScratchDirectory(snapshotDirectory) : s)
                .toList();
        Compression compression = b.compression != null ? b.compression : Compression.zstd();
        this.verifyLevel = b.verifyLevel;
        this.clock = b.clock;
        Path lockDirectory = b.lockDirectory != null ? b.lockDirectory
                : store instanceof LocalDirectoryStore local ? local.root() : null;
        String name = b.name != null ? b.name
                : store instanceof LocalDirectoryStore local ? String.valueOf(local.root().getFileName()) : "default";
        this.metrics = b.registry == null ? BackupMetrics.NONE : new MicrometerBackupMetrics((MeterRegistry) b.registry, name);
        this.restorer = new Restorer(clock, b.restoreCheck, List.copyOf(b.restoreStrategies.values()));
        this.events = new BackupEvents(b.notifiers, name, clock);
        this.catalogue = new BackupCatalogue(store, keys);
        this.verifier = new BackupVerifier(store, this::keys, catalogue, restorer, b.scratchDirectory, clock, metrics,
                events, this::sourceNames);
        this.writer = new BackupWriter(store, this::keys, sources, compression, verifyLevel, b.verifyAfterBackup, clock,
                b.lockLease, lockDirectory, b.compressionWorkers, metrics, events, catalogue, verifier);
    }

    /** Starts configuring a repository. */
    public static Builder builder() {
        return new Builder();
    }

    /** The Opskit version this library was built as ({@code "0.2.0"}), or {@code "unknown"}. */
    public static String version() {
        return Versions.OPSKIT;
    }

    /** The verification level a backup needs before it counts toward retention. */
    public VerifyLevel verifyLevel() {
        return verifyLevel;
    }

    /** The store backups are kept in. */
    public BackupStore store() {
        return store;
    }

    // ------------------------------------------------------------------------------------ backup

    /** {@link #backup(BackupProgress)} without progress reports. */
    public BackupManifest backup() {
        return backup(BackupProgress.NONE);
    }

    /**
     * Takes one backup of every configured source and commits it; when configured (the default), it
     * is verified at {@link #verifyLevel()} before the manifest is committed.
     *
     * @param progress receives snapshot bytes processed; may be {@link BackupProgress#NONE}
     * @return the committed manifest
     * @throws RepositoryLockedException when another writer holds the repository
     * @throws BackupFailedException     when a source, the store or the disk fails (nothing is left visible)
     * @throws BackupIntegrityException  when the fresh backup fails its verification (it is removed)
     * @throws IllegalStateException     when no source is configured
     */
    public BackupManifest backup(BackupProgress progress) {
        Objects.requireNonNull(progress, "progress");
        return writer.backup(progress);
    }

    private KeyProvider keys() {
        if (keys == null) {
            throw new IllegalStateException("keyProvider is required to back up, decode or restore: backups are"
                    + " always encrypted; use KeyFile.load(path)");
        }
        return keys;
    }

    // -------------------------------------------------------------------------------------- list

    /**
     * A backup whose manifest cannot be accepted: unreadable, edited, made with another key, or
     * copied from another backup. It is left out of {@link #list()}, retention and freshness, and
     * never deleted by a prune.
     *
     * @param id     the backup id (its key prefix in the store)
     * @param reason why, one line
     */
    public record UnreadableBackup(String id, String reason) {
        /** Checks the fields. */
        public UnreadableBackup {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The committed backups, oldest first, each with every recorded verification. A backup whose
     * manifest is missing (interrupted) is not listed; one whose manifest cannot be accepted is left
     * out (logged at WARN, and reported by {@link #unreadable()}) without hiding the others. With a
     * key provider, manifests and verification records are authenticated; without one, only their
     * structure and backup id are checked.
     *
     * @throws BackupFailedException when the store cannot be read
     */
    public List<BackupManifest> list() {
        return catalogue.scan(false).backups();
    }

    /**
     * The committed backups whose manifest cannot be accepted, with the reason, oldest first.
     *
     * @throws BackupFailedException when the store cannot be read
     */
    public List<UnreadableBackup> unreadable() {
        return catalogue.scan(true).unreadable();
    }

    /**
     * One committed backup's manifest.
     *
     * @throws BackupFailedException    when there is no such backup
     * @throws BackupIntegrityException when its manifest cannot be accepted (the message says why)
     */
    public BackupManifest manifest(String id) {
        return catalogue.manifest(id);
    }

    /**
     * When the newest backup whose latest verification passed at {@link #verifyLevel()} or deeper
     * was created, if any: what a freshness check compares with the recovery point objective.
     */
    public Optional<Instant> newestVerifiedBackupTime() {
        return list().stream().filter(m -> m.verifiedAtLeast(verifyLevel)).map(BackupManifest::createdAt)
                .max(Comparator.naturalOrder());
    }

    // ------------------------------------------------------------------------------------ verify

    /**
     * Verifies one backup at {@code level} and records the result next to it. The newest record
     * decides the backup's state: a failure revokes "verified" at every level (for listing,
     * retention and freshness) until a later verification passes.
     *
     * @return the manifest with the new verification added
     * @throws BackupIntegrityException when it fails (recorded as failed, and a
     *                                  {@code backup.verify_failed} event published; the message says how)
     * @throws BackupFailedException    when there is no such backup or the store cannot be read
     */
    public BackupManifest verify(String id, VerifyLevel level) {
        return verifier.verify(id, level);
    }

    // ----------------------------------------------------------------------------------- restore

    /**
     * Restores the only source of a backup to {@code target}.
     *
     * @throws BackupFailedException when the backup has several sources (name one) or none
     * @see #restore(String, String, RestoreTarget, RestoreOptions, BackupProgress)
     */
    public void restore(String id, RestoreTarget target, RestoreOptions options) {
        restore(id, onlySourceName(id), target, options, BackupProgress.NONE);
    }

    /**
     * Restores one source of a backup to {@code target}.
     *
     * @see #restore(String, String, RestoreTarget, RestoreOptions, BackupProgress)
     */
    public void restore(String id, String sourceName, RestoreTarget target, RestoreOptions options) {
        restore(id, sourceName, target, options, BackupProgress.NONE);
    }

    /**
     * Restores the only source of a backup, the target written as text for its kind (a file for
     * SQLite, a JDBC URL for PostgreSQL, a directory for files, pg-base and Redis).
     *
     * @deprecated use {@link #restore(String, RestoreTarget, RestoreOptions)} with a typed target
     */
    @Deprecated(since = "0.2.0")
    public void restore(String id, String to, boolean force) {
        restore(id, onlySourceName(id), to, force);
    }

    /**
     * The name of a backup's only source, for restores that do not name one.
     *
     * @throws BackupFailedException when the backup has several sources (name one) or none
     */
    public String onlySourceName(String id) {
        BackupManifest manifest = manifest(id);
        if (manifest.sources().size() != 1) {
            throw new BackupFailedException("backup " + id + " has several sources " + manifest.sources().stream()
                    .map(BackupManifest.SourceEntry::name).toList() + "; name the one to restore");
        }
        return manifest.sources().get(0).name();
    }

    /**
     * Restores one source, the target written as text for its kind.
     *
     * @deprecated use {@link #restore(String, String, RestoreTarget, RestoreOptions)} with a typed target
     */
    @Deprecated(since = "0.2.0")
    public void restore(String id, String sourceName, String to, boolean force) {
        restore(id, sourceName, to, force, BackupProgress.NONE);
    }

    /**
     * Restores one source, the target written as text for its kind, reporting progress.
     *
     * @deprecated use {@link #restore(String, String, RestoreTarget, RestoreOptions, BackupProgress)}
     *             with a typed target, or {@link #target(String, String, String)} to read one from text
     */
    @Deprecated(since = "0.2.0")
    public void restore(String id, String sourceName, String to, boolean force, BackupProgress progress) {
        Objects.requireNonNull(to, "to");
        restore(id, sourceName, target(id, sourceName, to), force ? RestoreOptions.forced() : RestoreOptions.defaults(),
                progress);
    }

    /**
     * The restore target of one source of a backup written as text (a command line's {@code --to}),
     * as the strategy of the source's kind reads it: a file path for {@code sqlite}, a JDBC URL for
     * {@code postgres}, a directory for {@code files}, {@code pg-base} and {@code redis}.
     *
     * @throws IllegalArgumentException when the strategy takes no such text
     * @throws BackupFailedException    when there is no such backup or source, or no strategy for its kind
     */
    public RestoreTarget target(String id, String sourceName, String text) {
        Objects.requireNonNull(text, "text");
        return restorer.target(manifest(id).source(sourceName).kind(), text);
    }

    /**
     * Restores one source of a backup through the {@link RestoreStrategy} of its kind (see
     * {@link Builder#restoreStrategy(RestoreStrategy)}), reporting progress: snapshot bytes restored
     * so far, out of the snapshot size the manifest records. The target is checked before any byte
     * is read; the archive is proven whole (every segment authenticated, size and SHA-256) before
     * the restored data becomes visible, so a failure leaves the target as it was.
     *
     * <ul>
     *   <li>{@code sqlite} to a {@link RestoreTarget.File}: written beside it, checked (see
     *       {@link Builder#restoreCheck(RestoreCheck)}), then moved in atomically; stale {@code -wal},
     *       {@code -shm} and {@code -journal} files are set aside; with force the old file is kept as
     *       {@code NAME.before-restore-DATE} and its mode and owner carried over.</li>
     *   <li>{@code postgres} to a {@link RestoreTarget.Postgres} database, through
     *       {@code pg_restore --clean --if-exists --single-transaction}.</li>
     *   <li>{@code files} to a {@link RestoreTarget.Directory}, which must be empty or absent unless forced.</li>
     *   <li>{@code pg-base} to an empty {@link RestoreTarget.Directory}: a data directory that starts at
     *       the backup's end (use {@link io.opskit.backup.pitr.PointInTimeRestore} for a moment).</li>
     *   <li>{@code redis} to a {@link RestoreTarget.Directory}: {@code dump.rdb} and loading instructions.</li>
     * </ul>
     *
     * @param progress receives restored bytes; may be {@link BackupProgress#NONE}
     * @throws RestoreRefusedException  when the target exists (without force) or an entry would escape it
     * @throws BackupIntegrityException when the archive fails authentication, checksum or check; the
     *                                  target is then untouched
     * @throws BackupFailedException    when the restore cannot be carried out (no such backup, no
     *                                  strategy for the kind, disk, pg_restore)
     * @throws IllegalArgumentException when the target is not of a kind the source's strategy writes to
     */
    public void restore(String id, String sourceName, RestoreTarget target, RestoreOptions options, BackupProgress progress) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(progress, "progress");
        BackupManifest manifest = manifest(id);
        BackupManifest.SourceEntry entry = manifest.source(sourceName);
        try {
            restorer.precheck(entry.kind(), target, options);
            ProgressMeter meter = new ProgressMeter(progress, entry.snapshotBytes());
            try (StoredArchive archive = StoredArchive.open(store, keys(), manifest, entry, meter)) {
                restorer.restore(manifest, entry, archive, target, options, manifest.verifiedAtLeast(VerifyLevel.TEST_RESTORE));
            }
            meter.done();
            log.info("restored backup {} source {} to {}", id, sourceName, target.describe());
        } catch (StoredArchive.ArchiveException e) {
            metrics.restoreFailed("corrupt");
            throw StoredArchive.integrity(manifest, entry, e);
        } catch (BackupIntegrityException e) {
            metrics.restoreFailed("corrupt");
            throw e;
        } catch (RestoreRefusedException e) {
            metrics.restoreFailed("refused");
            throw e;
        } catch (IOException e) {
            metrics.restoreFailed(isDiskFull(e) ? "disk_full" : "io");
            throw new BackupFailedException(describeFailure("restore of backup " + id, e), e);
        }
    }

    /** Reads a source's snapshot stream; see {@link #readSnapshot(String, String, SnapshotReader)}. */
    @FunctionalInterface
    public interface SnapshotReader {
        /** Reads (some of) the decrypted, decompressed snapshot. Does not close it. */
        void read(InputStream snapshot) throws IOException;
    }

    /**
     * Hands one source's decrypted, decompressed snapshot to {@code reader}, then reads what it
     * left and checks the stored object against the manifest (size, SHA-256, every segment
     * authenticated). For restore strategies that live outside this class (a PostgreSQL base backup
     * restored to a moment): when this throws, whatever {@code reader} wrote must be discarded.
     *
     * @throws BackupIntegrityException when the archive fails authentication or its checksum
     * @throws BackupFailedException    when there is no such backup or source, or reading fails
     */
    public void readSnapshot(String id, String sourceName, SnapshotReader reader) {
        Objects.requireNonNull(reader, "reader");
        BackupManifest manifest = manifest(id);
        BackupManifest.SourceEntry entry = manifest.source(sourceName);
        try (StoredArchive archive = StoredArchive.open(store, keys(), manifest, entry)) {
            reader.read(archive.plain());
            archive.finish();
        } catch (StoredArchive.ArchiveException e) {
            throw StoredArchive.integrity(manifest, entry, e);
        } catch (IOException e) {
            throw new BackupFailedException(describeFailure("reading backup " + id + " source " + sourceName, e), e);
        }
    }

    // ---------------------------------------------------------------------------------- retention

    /**
     * Plans retention over the committed backups without deleting anything (a dry run). A backup
     * counts as verified only when verified at {@link #verifyLevel()} or deeper; the plan never
     * deletes the newest verified backup.
     *
     * @param force plan even when more than the policy's delete share would go
     * @throws RetentionLimitExceededException when the plan deletes too many and force is false
     */
    public RetentionPlan planRetention(RetentionPolicy policy, boolean force) {
        Objects.requireNonNull(policy, "policy");
        List<BackupRecord> records = new ArrayList<>();
        for (BackupManifest m : list()) {
            records.add(new BackupRecord(m.id(), m.createdAt(), m.verifiedAtLeast(verifyLevel)));
        }
        return RetentionPlan.plan(policy, records, clock.instant(), force);
    }

    /**
     * Plans retention and deletes what the plan says, under the writer lock (each backup's manifest
     * first, so a backup is never half visible).
     *
     * @return the plan that was applied
     * @throws RetentionLimitExceededException when the plan deletes too many and force is false
     * @throws RepositoryLockedException       when another writer holds the repository
     */
    public RetentionPlan prune(RetentionPolicy policy, boolean force) {
        try (WriterLock lock = writer.lock()) {
            try {
                writer.clearDebris(); // what a killed prune or backup left (manifest-less directories)
            } catch (IOException e) {
                log.warn("could not remove what an interrupted operation left: {}", e.toString());
            }
            RetentionPlan plan;
            try {
                plan = planRetention(policy, force);
            } catch (RetentionLimitExceededException e) {
                events.publish(BackupEvents.PRUNE_REFUSED, Severity.WARNING, sourceNames(), "prune of "
                        + events.repository() + " refused: " + oneLine(e), Map.of());
                throw e;
            }
            for (BackupRecord doomed : plan.toDelete()) {
                catalogue.delete(doomed.id());
            }
            log.info("retention applied: kept {}, deleted {}", plan.toKeep().size(), plan.toDelete().size());
            return plan;
        }
    }

    /**
     * A health check that is DOWN when the newest backup verified at {@link #verifyLevel()} is older
     * than {@code rpo} (or there is none).
     *
     * @throws IllegalArgumentException when the RPO is not positive
     */
    public BackupFreshnessCheck freshnessCheck(Duration rpo) {
        BackupFreshnessCheck check = BackupFreshnessCheck.of(this::newestVerifiedBackupTime, rpo, clock);
        return events.hasNotifiers() ? check.onFreshnessLost(result -> events.publish(BackupEvents.FRESHNESS_LOST,
                Severity.CRITICAL, sourceNames(),
                "backups of " + events.repository() + ": " + result.message().orElse(result.status().name()),
                Map.of("rpo_seconds", String.valueOf(rpo.getSeconds())))) : check;
    }

    private List<String> sourceNames() {
        return sources.stream().map(BackupSource::name).toList();
    }

    // ------------------------------------------------------------------------------------ delete

    /**
     * Deletes one backup: its manifest first (so it stops being visible at once), then its data.
     * Takes the writer lock.
     *
     * @throws RepositoryLockedException when another writer holds the repository
     */
    public void delete(String id) {
        try (WriterLock lock = writer.lock()) {
            catalogue.delete(id);
        }
    }

    // ----------------------------------------------------------------------------------- helpers

    static boolean isDiskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    static String describeFailure(String what, Throwable e) {
        if (isDiskFull(e)) {
            String where = null;
            for (Throwable t = e; t != null && where == null; t = t.getCause()) {
                if (t instanceof FileSystemException fs && fs.getFile() != null) {
                    where = fs.getFile();
                }
            }
            return what + " failed: no space left on the device" + (where == null ? "" : " holding " + where)
                    + "; free space there and try again (nothing partial was kept)";
        }
        return what + " failed: " + oneLine(e);
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            m = fs.getReason() + ": " + fs.getFile();
        }
        String text = m == null ? e.getClass().getSimpleName() : m;
        return text.replaceAll("\\R", " ");
    }

    /**
     * Configures a {@link BackupRepository}. Set-once style: each setter validates its value at once
     * and names it in the {@link IllegalArgumentException}. Not thread-safe.
     */
    public static final class Builder {
        private @Nullable BackupStore store;
        private @Nullable KeyProvider keys;
        private final Set<BackupSource> sources = new LinkedHashSet<>();
        private @Nullable Compression compression; // zstd unless set; resolved in build()
        private VerifyLevel verifyLevel = VerifyLevel.DECODE;
        private boolean verifyAfterBackup = true;
        private RestoreCheck restoreCheck = RestoreCheck.AUTO;
        private final Map<String, RestoreStrategy> restoreStrategies = new LinkedHashMap<>();
        private Clock clock = Clock.systemUTC();
        private Duration lockLease = Duration.ofMinutes(2);
        private @Nullable Path lockDirectory;
        private Path scratchDirectory = Path.of(System.getProperty("java.io.tmpdir"));
        private @Nullable Path snapshotDirectory;
        // One core is left to the snapshot and encryption stages: on two cores, two zstd workers
        // made a backup twice as slow as one (measured by BackupThroughputBenchmark).
        // zstd's workers compress while the snapshot thread reads and the encryption thread seals;
        // measured on two cores, two workers back up a 400 MB database in about 2.5 s against 3.5 s
        // with one, so the default uses every processor, up to 4.
        private int compressionWorkers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private @Nullable Object registry;
        private @Nullable String name;
        private final List<Notifier> notifiers = new ArrayList<>();

        private Builder() {
        }

        /** Keeps backups in a local directory (created if needed); a shortcut for {@link #store(BackupStore)}. */
        public Builder directory(Path directory) {
            return store(LocalDirectoryStore.open(directory));
        }

        /** Where backups are kept. Required. */
        public Builder store(BackupStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Supplies the encryption key. Required to back up, decode or restore (backups are always
         * encrypted); listing and checksum verification work without it, but manifests and
         * verification records are then not authenticated and no backup counts as verified.
         */
        public Builder keyProvider(KeyProvider keyProvider) {
            this.keys = Objects.requireNonNull(keyProvider, "keyProvider");
            return this;
        }

        /**
         * Adds a source to back up (see {@link BackupSources}).
         *
         * @throws IllegalArgumentException when a source with the same name was added
         */
        public Builder source(BackupSource source) {
            Objects.requireNonNull(source, "source");
            BackupSources.checkName(source.name());
            if (sources.stream().anyMatch(s -> s.name().equals(source.name()))) {
                throw new IllegalArgumentException("source name must be unique: " + source.name());
            }
            sources.add(source);
            return this;
        }

        /**
         * The codec; default {@link Compression#zstd()}, which needs the optional dependency
         * zstd-jni ({@code build()} fails naming it when it is missing: choose gzip then).
         */
        public Builder compression(Compression compression) {
            this.compression = Objects.requireNonNull(compression, "compression");
            return this;
        }

        /**
         * The level a backup must be verified at before it counts toward retention and freshness;
         * default {@link VerifyLevel#DECODE}.
         */
        public Builder verifyLevel(VerifyLevel level) {
            this.verifyLevel = Objects.requireNonNull(level, "verifyLevel");
            return this;
        }

        /**
         * Whether each backup is verified at {@link #verifyLevel(VerifyLevel)} before it is committed
         * (default true). When false, backups count only once verified later.
         */
        public Builder verifyAfterBackup(boolean verify) {
            this.verifyAfterBackup = verify;
            return this;
        }

        /**
         * The check a restored SQLite database passes before it replaces the target: default
         * {@link RestoreCheck#AUTO} ({@code quick_check}, or only an open check when the backup
         * already passed level-3 verification); {@link RestoreCheck#QUICK} always runs
         * {@code quick_check}, {@link RestoreCheck#FULL} {@code integrity_check}.
         */
        public Builder restoreCheck(RestoreCheck check) {
            this.restoreCheck = Objects.requireNonNull(check, "restoreCheck");
            return this;
        }

        /** The clock for backup ids, lock leases and verification times; default UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How long the writer lock lasts without renewal (renewed every third of it); default 2 minutes.
         *
         * @throws IllegalArgumentException when shorter than one second
         */
        public Builder lockLease(Duration lease) {
            Objects.requireNonNull(lease, "lockLease");
            if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("lockLease must be at least 1 second: " + lease);
            }
            this.lockLease = lease;
            return this;
        }

        /** Where the writer lock lives; default the local store's directory. Needed for other stores. */
        public Builder lockDirectory(Path directory) {
            this.lockDirectory = Objects.requireNonNull(directory, "lockDirectory");
            return this;
        }

        /**
         * Adds the strategy that restores and test-restores sources of its {@link RestoreStrategy#kind()}:
         * an extension's own kind, or a built-in kind to replace Opskit's strategy for it. Repeatable,
         * one strategy per kind. Strategies given here come before those found through
         * {@link java.util.ServiceLoader}, which come before the built-ins.
         *
         * @throws IllegalArgumentException when a strategy for the same kind was already added
         */
        public Builder restoreStrategy(RestoreStrategy strategy) {
            Objects.requireNonNull(strategy, "strategy");
            String kind = Objects.requireNonNull(strategy.kind(), "strategy.kind()");
            if (restoreStrategies.containsKey(kind)) {
                throw new IllegalArgumentException("restoreStrategy for kind '" + kind + "' was already added: "
                        + restoreStrategies.get(kind).getClass().getName());
            }
            restoreStrategies.put(kind, strategy);
            return this;
        }

        /** Where level-3 verification restores into; default the system temporary directory. */
        public Builder scratchDirectory(Path directory) {
            this.scratchDirectory = Objects.requireNonNull(directory, "scratchDirectory");
            return this;
        }

        /**
         * Where SQLite sources write their snapshot copy before it is checked and stored, unless the
         * source names its own ({@link BackupSources#sqlite(String, Path, Path)}); default beside each
         * database, in its own directory. The copy needs free space equal to the database (and its
         * {@code -wal}) plus 1 MiB there; a backup checks this first and fails with one line naming
         * the directory instead of committing a short copy.
         *
         * @throws IllegalStateException when it was already set
         */
        public Builder snapshotDirectory(Path directory) {
            Objects.requireNonNull(directory, "snapshotDirectory");
            if (this.snapshotDirectory != null) {
                throw new IllegalStateException("snapshotDirectory was already set");
            }
            this.snapshotDirectory = directory;
            return this;
        }

        /**
         * How many threads zstd may compress with (0 = on the snapshot thread only); default the
         * number of processors, at least 1 and at most 4.
         *
         * @throws IllegalArgumentException when negative or above 64
         */
        public Builder compressionWorkers(int workers) {
            if (workers < 0 || workers > 64) {
                throw new IllegalArgumentException("compressionWorkers must be between 0 and 64: " + workers);
            }
            this.compressionWorkers = workers;
            return this;
        }

        /**
         * Records meters ({@code opskit.backup.*}) in {@code registry}, tagged {@code repository=}
         * {@link #name(String)}. Without this, nothing is recorded and Micrometer need not be on the
         * class path.
         *
         * @throws IllegalStateException when a registry was already set
         */
        public Builder meterRegistry(MeterRegistry registry) {
            Objects.requireNonNull(registry, "registry");
            if (this.registry != null) {
                throw new IllegalStateException("meterRegistry was already set");
            }
            this.registry = registry;
            return this;
        }

        /**
         * The repository's name in events ({@code backup:NAME/SOURCE}) and in the {@code repository}
         * metric tag; default the local directory's name, or {@code "default"} for other stores.
         *
         * @throws IllegalArgumentException when blank or not made of {@code [A-Za-z0-9._-]}
         * @throws IllegalStateException    when a name was already set
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (this.name != null) {
                throw new IllegalStateException("name was already set");
            }
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("name must be letters, digits, '.', '_' or '-': '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * Adds a notifier that hears the repository's events: {@code backup.succeeded} (INFO),
         * {@code backup.failed}, {@code backup.verify_failed}, {@code backup.restore_drill_failed},
         * {@code backup.freshness_lost} (CRITICAL, from {@link BackupRepository#freshnessCheck(Duration)})
         * and {@code backup.prune_refused} (WARNING). Repeatable: every notifier hears every event.
         * Notifiers are called on the thread of the operation; a notifier that throws is logged and
         * does not fail it.
         */
        public Builder notifier(Notifier notifier) {
            notifiers.add(Objects.requireNonNull(notifier, "notifier"));
            return this;
        }

        /**
         * Builds the repository.
         *
         * @throws IllegalStateException when the store or key provider is missing, or a non-local
         *                               store has no lock directory
         */
        public BackupRepository build() {
            if (store == null) {
                throw new IllegalStateException("store is required: call directory(path) or store(store)");
            }
            if (lockDirectory == null && !(store instanceof LocalDirectoryStore) && !store.supportsConditionalWrites()) {
                throw new IllegalStateException("lockDirectory is required for a store that is not a local directory"
                        + " and has no conditional writes");
            }
            return new BackupRepository(this);
        }
    }
}
