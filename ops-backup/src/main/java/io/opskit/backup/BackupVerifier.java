package io.opskit.backup;

import io.opskit.api.Redactor;
import io.opskit.api.backup.BackupStore;
import io.opskit.api.backup.KeyProvider;
import io.opskit.api.notify.Severity;
import io.opskit.backup.internal.FileArchive;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies committed backups at a level (checksum, decode, test restore), records each outcome
 * beside the backup, and publishes failures as events. The newest record decides a backup's state
 * (see {@link BackupManifest#verifiedAtLeast(VerifyLevel)}). Thread-safe (holds no mutable state).
 */
final class BackupVerifier {

    private static final Logger log = LoggerFactory.getLogger(BackupVerifier.class);

    private final BackupStore store;
    private final Supplier<KeyProvider> keys;
    private final BackupCatalogue catalogue;
    private final Restorer restorer;
    private final Path scratchDirectory;
    private final Clock clock;
    private final BackupMetrics metrics;
    private final BackupEvents events;
    private final Supplier<List<String>> sourceNames;

    BackupVerifier(BackupStore store, Supplier<KeyProvider> keys, BackupCatalogue catalogue, Restorer restorer,
                   Path scratchDirectory, Clock clock, BackupMetrics metrics, BackupEvents events,
                   Supplier<List<String>> sourceNames) {
        this.store = store;
        this.keys = keys;
        this.catalogue = catalogue;
        this.restorer = restorer;
        this.scratchDirectory = scratchDirectory;
        this.clock = clock;
        this.metrics = metrics;
        this.events = events;
        this.sourceNames = sourceNames;
    }

    /** See {@link BackupRepository#verify(String, VerifyLevel)}. */
    BackupManifest verify(String id, VerifyLevel level) {
        Objects.requireNonNull(level, "level");
        BackupManifest manifest;
        try {
            manifest = catalogue.manifest(id);
        } catch (BackupIntegrityException e) {
            metrics.verifyFailed("corrupt");
            events.publish(BackupEvents.VERIFY_FAILED, Severity.CRITICAL, sourceNames.get(), "verification of backup " + id
                    + " in " + events.repository() + " failed: " + Redactor.redact(BackupRepository.oneLine(e)),
                    Map.of("backup_id", id, "level", String.valueOf(level.number())));
            throw e;
        }
        long started = System.nanoTime();
        try {
            verifySources(manifest, level);
        } catch (BackupIntegrityException e) {
            metrics.verifyFailed("corrupt");
            catalogue.record(manifest, BackupManifest.Verification.failed(level, recordTime(manifest),
                    Objects.requireNonNullElse(e.getMessage(), e.toString())));
            publishFailure(manifest, level, e);
            throw e;
        } catch (IOException e) {
            metrics.verifyFailed("io");
            throw new BackupFailedException(BackupRepository.describeFailure("verifying backup " + id, e), e);
        }
        Instant at = recordTime(manifest);
        if (level == VerifyLevel.TEST_RESTORE) {
            metrics.restoreDrill(Duration.ofNanos(System.nanoTime() - started));
        }
        metrics.verified(at);
        BackupManifest.Verification v = BackupManifest.Verification.passed(level, at);
        catalogue.record(manifest, v);
        log.info("backup {} verified at level {}", id, level.number());
        return manifest.withVerification(v);
    }

    /**
     * The time to record a new verification at: now, or one millisecond after the newest record when
     * the clock has not moved past it, so the new record sorts last (the newest decides the state;
     * two records of the same instant would otherwise be ordered by their random name suffix).
     */
    private Instant recordTime(BackupManifest manifest) {
        Instant now = clock.instant();
        return manifest.lastVerification().map(BackupManifest.Verification::verifiedAt)
                .filter(last -> !now.isAfter(last))
                .map(last -> last.plusMillis(1))
                .orElse(now);
    }

    private void publishFailure(BackupManifest manifest, VerifyLevel level, RuntimeException e) {
        List<String> names = manifest.sources().stream().map(BackupManifest.SourceEntry::name).toList();
        Map<String, String> labels = Map.of("backup_id", manifest.id(), "level", String.valueOf(level.number()));
        String why = Redactor.redact(BackupRepository.oneLine(e));
        if (level == VerifyLevel.TEST_RESTORE) {
            events.publish(BackupEvents.RESTORE_DRILL_FAILED, Severity.CRITICAL, names, "restore drill of backup "
                    + manifest.id() + " in " + events.repository() + " failed: " + why, labels);
        }
        events.publish(BackupEvents.VERIFY_FAILED, Severity.CRITICAL, names, "verification of backup " + manifest.id()
                + " in " + events.repository() + " at level " + level.number() + " failed: " + why, labels);
    }

    /**
     * Checks every source of {@code manifest} at {@code level}: 1 the stored object's size and
     * SHA-256; 2 that, and every segment authenticated and the plaintext length equal to the
     * manifest's; 3 level 2 through a test restore and the source kind's own check.
     */
    void verifySources(BackupManifest manifest, VerifyLevel level) throws IOException {
        for (BackupManifest.SourceEntry entry : manifest.sources()) {
            try {
                if (level == VerifyLevel.CHECKSUM) {
                    StoredArchive.checksum(store, manifest, entry);
                    continue;
                }
                try (StoredArchive archive = StoredArchive.open(store, keys.get(), manifest, entry)) {
                    if (level == VerifyLevel.DECODE) {
                        long plain = archive.plain().transferTo(OutputStream.nullOutputStream());
                        archive.finish();
                        if (plain != entry.snapshotBytes()) {
                            throw new BackupIntegrityException(manifest.id(), "backup " + manifest.id() + " source "
                                    + entry.name() + " decodes to " + plain + " bytes, the manifest says " + entry.snapshotBytes());
                        }
                    } else {
                        restorer.testRestore(entry.kind(), archive, scratchDirectory, manifest.id());
                    }
                }
            } catch (StoredArchive.ArchiveException e) {
                throw StoredArchive.integrity(manifest, entry, e);
            } catch (RestoreRefusedException e) {
                throw new BackupIntegrityException(manifest.id(), "backup " + manifest.id() + " source " + entry.name()
                        + " holds an entry that a restore would refuse: " + e.getMessage());
            } catch (NoSuchFileException e) {
                throw new BackupIntegrityException(manifest.id(), "backup " + manifest.id() + " source " + entry.name()
                        + " is missing its data object " + entry.object());
            } catch (FileArchive.MalformedException e) {
                throw new BackupIntegrityException(manifest.id(), "backup " + manifest.id() + " source " + entry.name()
                        + " is not a well-formed files archive: " + e.getMessage());
            }
        }
    }
}
