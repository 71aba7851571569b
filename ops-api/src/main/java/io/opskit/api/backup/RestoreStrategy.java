package io.opskit.api.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Restores and test-restores the snapshots of one {@linkplain BackupSource#kind() source kind}. The
 * backup engine picks the strategy by the kind recorded in the backup's manifest: ops-backup has
 * built-ins for {@code sqlite}, {@code postgres}, {@code files}, {@code pg-base} and {@code redis};
 * an extension that defines a source of its own kind registers its strategy with the repository's
 * builder or through {@link java.util.ServiceLoader} ({@code provides io.opskit.api.backup.RestoreStrategy}),
 * so that what it backs up can also be verified at level 3 and restored.
 *
 * <p>Only {@link #kind()} and {@link #restore} must be written; the rest have defaults.
 * Implementations must be thread-safe: one instance serves every restore of its kind.
 */
public interface RestoreStrategy {

    /**
     * The source kind this strategy restores, as its {@link BackupSource#kind()} returns it.
     *
     * @return the kind
     */
    String kind();

    /**
     * Checks the target before any byte of the backup is read, so that a refusal costs nothing.
     * The default accepts every target.
     *
     * @param target  where the restore would write
     * @param options how it may treat the target
     * @return why the restore must not go on (the engine refuses it with this reason), or empty
     * @throws IOException              when the target cannot be examined
     * @throws IllegalArgumentException when this strategy cannot write to this kind of target
     */
    default Optional<String> refusal(RestoreTarget target, RestoreOptions options) throws IOException {
        return Optional.empty();
    }

    /**
     * Restores one snapshot to {@code target}. The strategy reads {@link SnapshotArchive#snapshot()},
     * calls {@link SnapshotArchive#finish()}, and only then makes the result visible: a failure at
     * any point must leave the target as it was.
     *
     * @param archive the snapshot and what the manifest records about it
     * @param target  where to write
     * @param options how the target may be treated
     * @throws IOException              when the restore fails; the target must be as it was
     * @throws IllegalArgumentException when this strategy cannot write to this kind of target
     */
    void restore(SnapshotArchive archive, RestoreTarget target, RestoreOptions options) throws IOException;

    /**
     * Level-3 verification: restores the snapshot into {@code scratchDirectory} and runs the source's
     * own check on it (the database opens, its integrity check passes), then removes what it wrote.
     * The default only reads the whole snapshot and calls {@link SnapshotArchive#finish()}, which
     * proves the bytes but not that they restore.
     *
     * @param archive          the snapshot
     * @param scratchDirectory a directory this check may write below; it exists
     * @throws IOException when the test restore or the check fails; the message says how, and the
     *                     engine records the backup as failing verification
     */
    default void check(SnapshotArchive archive, Path scratchDirectory) throws IOException {
        InputStream in = archive.snapshot();
        in.transferTo(OutputStream.nullOutputStream());
        archive.finish();
    }

    /**
     * Turns a target written as text (a command line's {@code --to}) into a target of this
     * strategy. The default refuses: a strategy that writes to a file or a directory may answer
     * {@link RestoreTarget#file(Path)} or {@link RestoreTarget#directory(Path)}.
     *
     * @param text the target as written
     * @return the target
     * @throws IllegalArgumentException when the text names no target of this strategy
     */
    default RestoreTarget target(String text) {
        throw new IllegalArgumentException("a " + kind() + " restore takes no target written as text: '" + text
                + "'; restore it through the API with a RestoreTarget");
    }
}
