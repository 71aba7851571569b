package io.opskit.backup;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a committed backup holds, as recorded in its {@code manifest.json} (see FORMAT.md), plus the
 * best verification recorded for it since. Immutable.
 *
 * @param id            the backup id ({@code 20261121T020000Z-1a2b3c}), sortable by time
 * @param createdAt     when the backup started
 * @param completedAt   when its data was committed
 * @param compression   the codec, {@code "zstd:3"}, {@code "gzip:6"} or {@code "none"}
 * @param keyId         the id of the key the sources are encrypted with (not secret)
 * @param sources       one entry per source, in backup order
 * @param software      format and library versions that wrote it
 * @param verification  the deepest successful verification recorded, or null
 */
public record BackupManifest(String id, Instant createdAt, Instant completedAt, String compression, String keyId,
                             List<SourceEntry> sources, Map<String, String> software,
                             @Nullable Verification verification) {

    /** Copies and checks the lists. */
    public BackupManifest {
        Objects.requireNonNull(id, "id");
        sources = List.copyOf(sources);
        software = Map.copyOf(software);
    }

    /**
     * One source in a backup.
     *
     * @param name          the source's name
     * @param kind          {@code sqlite}, {@code postgres}, {@code files} or an extension's kind
     * @param object        the store key of its encrypted data
     * @param snapshotBytes the size of the snapshot before compression
     * @param storedBytes   the size of the stored object
     * @param sha256        the SHA-256 of the stored object, lowercase hex
     */
    public record SourceEntry(String name, String kind, String object, long snapshotBytes, long storedBytes,
                              String sha256) {
    }

    /**
     * A successful verification.
     *
     * @param level      how deep it went
     * @param verifiedAt when it finished
     */
    public record Verification(VerifyLevel level, Instant verifiedAt) {
    }

    /** The deepest successful verification, if any. */
    public Optional<Verification> verified() {
        return Optional.ofNullable(verification);
    }

    /** True when verified at {@code level} or deeper. */
    public boolean verifiedAtLeast(VerifyLevel level) {
        return verification != null && verification.level().number() >= level.number();
    }

    /** The total stored bytes over all sources. */
    public long storedBytes() {
        return sources.stream().mapToLong(SourceEntry::storedBytes).sum();
    }

    /** The total snapshot bytes over all sources. */
    public long snapshotBytes() {
        return sources.stream().mapToLong(SourceEntry::snapshotBytes).sum();
    }

    /**
     * The entry for a source.
     *
     * @throws BackupFailedException when the backup has no such source
     */
    public SourceEntry source(String name) {
        return sources.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new BackupFailedException("backup " + id + " has no source " + name
                        + "; it has " + sources.stream().map(SourceEntry::name).toList()));
    }
}
