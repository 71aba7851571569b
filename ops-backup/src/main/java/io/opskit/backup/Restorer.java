package io.opskit.backup;

import io.opskit.api.backup.RestoreOptions;
import io.opskit.api.backup.RestoreStrategy;
import io.opskit.api.backup.RestoreTarget;
import io.opskit.api.backup.SnapshotArchive;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores and test-restores one source of a backup through the {@link RestoreStrategy} of its
 * kind: the strategies given to the repository's builder first, then those an extension provides
 * through {@link ServiceLoader}, then the built-ins ({@code sqlite}, {@code files}, {@code postgres},
 * {@code pg-base}, {@code redis}). Thread-safe.
 */
final class Restorer {

    private static final Logger log = LoggerFactory.getLogger(Restorer.class);

    private final Map<String, RestoreStrategy> registered;
    private final Map<String, RestoreStrategy> builtIn;
    private volatile Map<String, RestoreStrategy> loaded = Map.of();
    private volatile boolean serviceLoaderRead;

    Restorer(Clock clock, RestoreCheck check) {
        this(clock, check, List.of());
    }

    Restorer(Clock clock, RestoreCheck check, List<RestoreStrategy> strategies) {
        Map<String, RestoreStrategy> byKind = new LinkedHashMap<>();
        for (RestoreStrategy s : strategies) {
            byKind.put(s.kind(), s);
        }
        this.registered = Map.copyOf(byKind);
        Map<String, RestoreStrategy> own = new LinkedHashMap<>();
        for (RestoreStrategy s : List.of(new SqliteRestoreStrategy(clock, check), new FilesRestoreStrategy(clock),
                new PostgresRestoreStrategy(), new PgBaseRestoreStrategy(), new RedisRestoreStrategy(clock))) {
            own.put(s.kind(), s);
        }
        this.builtIn = Map.copyOf(own);
    }

    /** The strategy that restores {@code kind}, when there is one. */
    Optional<RestoreStrategy> find(String kind) {
        RestoreStrategy s = registered.get(kind);
        if (s == null) {
            s = serviceLoaded().get(kind);
        }
        if (s == null) {
            s = builtIn.get(kind);
        }
        return Optional.ofNullable(s);
    }

    /** The strategy that restores {@code kind}. */
    RestoreStrategy strategy(String kind) {
        return find(kind).orElseThrow(() -> new BackupFailedException("no restore strategy for source kind '" + kind
                + "': register the extension's strategy with BackupRepository.builder().restoreStrategy(...) or put"
                + " the jar that provides it on the path"));
    }

    private Map<String, RestoreStrategy> serviceLoaded() {
        if (!serviceLoaderRead) {
            synchronized (this) {
                if (!serviceLoaderRead) {
                    Map<String, RestoreStrategy> found = new LinkedHashMap<>();
                    try {
                        for (RestoreStrategy s : ServiceLoader.load(RestoreStrategy.class, Restorer.class.getClassLoader())) {
                            found.putIfAbsent(s.kind(), s);
                        }
                    } catch (ServiceConfigurationError e) {
                        log.warn("could not load the restore strategies extensions provide: {}", e.toString());
                    }
                    loaded = Map.copyOf(found);
                    serviceLoaderRead = true;
                }
            }
        }
        return loaded;
    }

    /** A target of {@code kind} written as text (the CLI's {@code --to}). */
    RestoreTarget target(String kind, String text) {
        return strategy(kind).target(text);
    }

    /** Checks the target before any bytes are read, so a refusal costs nothing. */
    void precheck(String kind, RestoreTarget target, RestoreOptions options) throws IOException {
        Optional<String> refusal = strategy(kind).refusal(target, options);
        if (refusal.isPresent()) {
            throw new RestoreRefusedException(refusal.get());
        }
    }

    /**
     * Restores {@code archive} to {@code target}; the strategy finishes the archive (size, checksum,
     * every segment authenticated) before it makes anything visible.
     *
     * @param testRestored whether the backup's latest verification passed at level 3 (see {@link RestoreCheck#AUTO})
     */
    void restore(BackupManifest manifest, BackupManifest.SourceEntry entry, StoredArchive archive, RestoreTarget target,
                 RestoreOptions options, boolean testRestored) throws IOException {
        RestoreStrategy strategy = strategy(entry.kind());
        Opened opened = new Opened(archive, manifest.id(), entry, testRestored);
        strategy.restore(opened, target, options);
        if (!opened.finished) {
            // The strategy broke its contract: it should have proven the archive before publishing.
            log.warn("restore strategy {} for kind {} returned without calling SnapshotArchive.finish(); the archive is"
                    + " checked now, after the fact", strategy.getClass().getName(), entry.kind());
            opened.finish();
        }
    }

    /** Level 3: a test restore into scratch space through the strategy of the source's kind. */
    void testRestore(String kind, StoredArchive archive, Path scratchDir, String backupId) throws IOException {
        RestoreStrategy strategy = find(kind).orElseThrow(() -> new BackupFailedException("backup " + backupId
                + " cannot be verified at level 3: no restore strategy for source kind '" + kind + "' (register one with"
                + " BackupRepository.builder().restoreStrategy(...)); level 2 proves its bytes"));
        Files.createDirectories(scratchDir);
        Opened opened = new Opened(archive, backupId, archive.entry(), false);
        try {
            strategy.check(opened, scratchDir);
            opened.finish(); // a check that stopped reading early still proves the whole archive
        } catch (StoredArchive.ArchiveException | BackupIntegrityException | BackupFailedException
                 | RestoreRefusedException e) {
            throw e;
        } catch (IOException e) {
            throw new BackupIntegrityException(backupId, "test restore of backup " + backupId + " source "
                    + archive.entry().name() + " failed: " + Objects.requireNonNullElse(e.getMessage(), e.toString()));
        }
    }

    /** A stored archive as a strategy sees it. */
    private static final class Opened implements SnapshotArchive {
        private final StoredArchive archive;
        private final String backupId;
        private final BackupManifest.SourceEntry entry;
        private final boolean testRestored;
        private boolean finished;

        Opened(StoredArchive archive, String backupId, BackupManifest.SourceEntry entry, boolean testRestored) {
            this.archive = archive;
            this.backupId = backupId;
            this.entry = entry;
            this.testRestored = testRestored;
        }

        @Override
        public String backupId() {
            return backupId;
        }

        @Override
        public String sourceName() {
            return entry.name();
        }

        @Override
        public String kind() {
            return entry.kind();
        }

        @Override
        public long snapshotBytes() {
            return entry.snapshotBytes();
        }

        @Override
        public boolean testRestored() {
            return testRestored;
        }

        @Override
        public InputStream snapshot() {
            return archive.plain();
        }

        @Override
        public void finish() throws IOException {
            if (!finished) {
                archive.finish();
                finished = true;
            }
        }
    }
}
