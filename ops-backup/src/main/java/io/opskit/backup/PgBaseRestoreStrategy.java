package io.opskit.backup;

import io.opskit.api.backup.RestoreOptions;
import io.opskit.api.backup.RestoreStrategy;
import io.opskit.api.backup.RestoreTarget;
import io.opskit.api.backup.SnapshotArchive;
import io.opskit.backup.internal.Leftovers;
import io.opskit.backup.pitr.PgBaseBackupSource;
import io.opskit.backup.pitr.internal.BaseBackupCheck;
import io.opskit.backup.pitr.internal.LocalCluster;
import io.opskit.backup.pitr.internal.TarExtractor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The built-in strategy of kind {@code pg-base} (a {@code pg_basebackup} tar with the WAL it needs):
 * restores to an empty or absent {@link RestoreTarget.Directory} a data directory that starts at
 * the backup's consistency point. To replay the WAL archive to a chosen moment, restore through
 * {@link io.opskit.backup.pitr.PointInTimeRestore} instead. The level-3 check starts a server on a
 * scratch copy and runs a query.
 */
final class PgBaseRestoreStrategy implements RestoreStrategy {

    @Override
    public String kind() {
        return PgBaseBackupSource.KIND;
    }

    @Override
    public RestoreTarget target(String text) {
        return RestoreTarget.directory(Path.of(text));
    }

    @Override
    public Optional<String> refusal(RestoreTarget target, RestoreOptions options) throws IOException {
        Path dir = FilesRestoreStrategy.directory(target, kind());
        if (Files.exists(dir) && (!Files.isDirectory(dir) || !FilesRestoreStrategy.isEmpty(dir))) {
            return Optional.of("data directory " + dir + " is not empty; restore into an empty or new directory"
                    + " (stop and move the old cluster first)");
        }
        return Optional.empty();
    }

    @Override
    public void check(SnapshotArchive archive, Path scratchDirectory) throws IOException {
        try {
            BaseBackupCheck.testRestore(archive.snapshot(), scratchDirectory);
        } catch (StoredArchive.ArchiveException | BackupIntegrityException e) {
            throw e;
        } catch (IOException e) {
            throw new BackupIntegrityException(archive.backupId(), "test restore of base backup " + archive.backupId()
                    + " failed: " + e.getMessage());
        }
        archive.finish();
    }

    @Override
    public void restore(SnapshotArchive archive, RestoreTarget target, RestoreOptions options) throws IOException {
        Path dir = FilesRestoreStrategy.directory(target, kind());
        Optional<String> refused = refusal(target, options);
        if (refused.isPresent()) {
            throw new RestoreRefusedException(refused.get());
        }
        // Unpacked beside the target and renamed into place whole: a restore that dies midway never
        // leaves a half data directory where a server could be started on it.
        Path staging = FilesRestoreStrategy.createStaging(dir);
        try {
            UserPrincipal owner = owner(Files.exists(dir) ? dir : staging);
            if (owner != null) {
                Files.setOwner(staging, owner);
            }
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwx------"));
            TarExtractor.extract(archive.snapshot(), staging, owner);
            archive.finish();
            FilesRestoreStrategy.moveIntoPlace(staging, dir);
        } finally {
            if (Files.exists(staging)) {
                Leftovers.deleteTree(staging);
            }
        }
    }

    private static @Nullable UserPrincipal owner(Path dir) throws IOException {
        UserPrincipal server = LocalCluster.serverOwner();
        if (server == null) {
            return null;
        }
        UserPrincipal current = Files.getOwner(dir);
        return "root".equals(current.getName()) ? server : current;
    }
}
