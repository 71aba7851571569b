package io.opskit.backup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a committed backup holds, as recorded in its {@code manifest.json} (see FORMAT.md), plus every
 * verification recorded for it since. Immutable.
 *
 * <p>The newest verification decides the backup's state: a failed one revokes "verified" at every
 * level until a later one passes ({@link #verified()}).
 *
 * @param id            the backup id ({@code 20261121T020000Z-1a2b3c}), sortable by time
 * @param createdAt     when the backup started
 * @param completedAt   when its data was committed
 * @param compression   the codec, {@code "zstd:3"}, {@code "gzip:6"} or {@code "none"}
 * @param keyId         the id of the key the sources are encrypted with (not secret)
 * @param sources       one entry per source, in backup order
 * @param software      format and library versions that wrote it
 * @param verifications every verification recorded, passed or failed, oldest first (the check made
 *                      before the commit, when there was one, comes first)
 */
public record BackupManifest(String id, Instant createdAt, Instant completedAt, String compression, String keyId,
                             List<SourceEntry> sources, Map<String, String> software,
                             List<Verification> verifications) {

    /** Copies the lists and sorts the verifications by time (stable). */
    public BackupManifest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(completedAt, "completedAt");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(keyId, "keyId");
        sources = List.copyOf(sources);
        software = Map.copyOf(software);
        List<Verification> sorted = new ArrayList<>(verifications);
        sorted.sort(Comparator.comparing(Verification::verifiedAt));
        verifications = List.copyOf(sorted);
    }

    /**
     * One source in a backup.
     *
     * @param name          the source's name
     * @param kind          {@code sqlite}, {@code postgres}, {@code files}, {@code redis} or an extension's kind
     * @param object        the store key of its encrypted data
     * @param snapshotBytes the size of the snapshot before compression
     * @param storedBytes   the size of the stored object
     * @param sha256        the SHA-256 of the stored object, lowercase hex
     */
    public record SourceEntry(String name, String kind, String object, long snapshotBytes, long storedBytes,
                              String sha256) {
        /** Checks the fields. */
        public SourceEntry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(object, "object");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    /**
     * One recorded verification.
     *
     * @param level      how deep it went
     * @param verifiedAt when it finished
     * @param passed     whether the backup passed
     * @param reason     why it failed, one line; {@code ""} when it passed
     */
    public record Verification(VerifyLevel level, Instant verifiedAt, boolean passed, String reason) {
        /** Checks the fields. */
        public Verification {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(verifiedAt, "verifiedAt");
            Objects.requireNonNull(reason, "reason");
        }

        /** A verification that passed. */
        public static Verification passed(VerifyLevel level, Instant at) {
            return new Verification(level, at, true, "");
        }

        /** A verification that failed, with its one-line reason. */
        public static Verification failed(VerifyLevel level, Instant at, String reason) {
            return new Verification(level, at, false, reason.replaceAll("\\R", " "));
        }
    }

    /** The newest recorded verification, passed or failed, if any. */
    public Optional<Verification> lastVerification() {
        return verifications.isEmpty() ? Optional.empty() : Optional.of(verifications.get(verifications.size() - 1));
    }

    /**
     * The deepest passed verification since the newest failed one; empty when the backup was never
     * verified or when its newest verification failed.
     */
    public Optional<Verification> verified() {
        Verification best = null;
        for (int i = verifications.size() - 1; i >= 0; i--) {
            Verification v = verifications.get(i);
            if (!v.passed()) {
                break;
            }
            if (best == null || v.level().number() > best.level().number()) {
                best = v;
            }
        }
        return Optional.ofNullable(best);
    }

    /** True when {@link #verified()} reaches {@code level} or deeper. */
    public boolean verifiedAtLeast(VerifyLevel level) {
        return verified().map(v -> v.level().number() >= level.number()).orElse(false);
    }

    /** This manifest with one more verification. */
    public BackupManifest withVerification(Verification v) {
        List<Verification> all = new ArrayList<>(verifications);
        all.add(v);
        return new BackupManifest(id, createdAt, completedAt, compression, keyId, sources, software, all);
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
