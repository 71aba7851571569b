package io.opskit.backup;

import io.opskit.api.backup.BackupStore;
import io.opskit.api.backup.KeyProvider;
import io.opskit.backup.BackupRepository.UnreadableBackup;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a repository holds: the committed backups read from the store, their manifests
 * authenticated (with a key provider) and their verification records attached; backups whose
 * manifest cannot be accepted reported apart; deletes. Reads take no lock; deletes are called
 * under the writer lock by the caller. Thread-safe (holds no mutable state).
 */
final class BackupCatalogue {

    private static final Logger log = LoggerFactory.getLogger(BackupCatalogue.class);
    static final String MANIFEST = "manifest.json";
    static final String VERIFICATION_PREFIX = "verification-";
    private static final Pattern BACKUP_ID = Pattern.compile("\\d{8}T\\d{6}Z-[0-9a-f]{6}");

    private final BackupStore store;
    private final @Nullable KeyProvider keys;

    BackupCatalogue(BackupStore store, @Nullable KeyProvider keys) {
        this.store = store;
        this.keys = keys;
    }

    /** The committed and unreadable backups, oldest first. */
    record Scan(List<BackupManifest> backups, List<UnreadableBackup> unreadable) {
    }

    /** Every object of every backup id, grouped by id, in store order. Other top-level prefixes are skipped. */
    Map<String, List<String>> objectsById() throws IOException {
        Map<String, List<String>> byId = new LinkedHashMap<>();
        for (String key : store.list("")) {
            int slash = key.indexOf('/');
            // Only backup ids: other top-level directories (the WAL archive's "wal/") are not backups.
            if (slash > 0 && BACKUP_ID.matcher(key.substring(0, slash)).matches()) {
                byId.computeIfAbsent(key.substring(0, slash), k -> new ArrayList<>()).add(key);
            }
        }
        return byId;
    }

    Scan scan(boolean quiet) {
        try {
            List<BackupManifest> manifests = new ArrayList<>();
            List<UnreadableBackup> bad = new ArrayList<>();
            for (Map.Entry<String, List<String>> e : objectsById().entrySet()) {
                if (e.getValue().contains(e.getKey() + "/" + MANIFEST)) {
                    try {
                        manifests.add(load(e.getKey(), e.getValue()));
                    } catch (BackupIntegrityException unreadable) {
                        bad.add(new UnreadableBackup(e.getKey(), Objects.requireNonNullElse(unreadable.getMessage(), "unreadable")));
                        if (!quiet) {
                            log.warn("{}", unreadable.getMessage());
                        }
                    } catch (NoSuchFileException gone) {
                        // deleted between listing and reading (a concurrent prune): not a backup any more
                    }
                }
            }
            manifests.sort(Comparator.comparing(BackupManifest::createdAt).thenComparing(BackupManifest::id));
            return new Scan(manifests, bad);
        } catch (IOException e) {
            throw new BackupFailedException(BackupRepository.describeFailure("listing backups", e), e);
        }
    }

    BackupManifest manifest(String id) {
        Objects.requireNonNull(id, "id");
        try {
            List<String> keys = store.list(id + "/");
            if (!keys.contains(id + "/" + MANIFEST)) {
                throw new BackupFailedException("no backup " + id + " in " + store + "; list shows the ids");
            }
            return load(id, keys);
        } catch (IllegalArgumentException | NoSuchFileException e) {
            throw new BackupFailedException("no backup " + id + " in " + store + "; list shows the ids");
        } catch (IOException e) {
            throw new BackupFailedException(BackupRepository.describeFailure("reading backup " + id, e), e);
        }
    }

    /** The manifest-authentication key for a key id, or null without a key provider (or for an unknown key). */
    byte @Nullable [] macKey(String keyId) {
        if (keys == null) {
            return null;
        }
        byte[] master;
        try {
            master = keys.key(keyId);
        } catch (IllegalArgumentException e) {
            return null;
        }
        try {
            return ManifestJson.macKey(master);
        } finally {
            Arrays.fill(master, (byte) 0);
        }
    }

    private BackupManifest load(String id, List<String> keys) throws IOException {
        BackupManifest manifest;
        byte[] macKey = null;
        try (InputStream in = store.open(id + "/" + MANIFEST)) {
            byte[] bytes = in.readAllBytes();
            String keyId = ManifestJson.keyIdOf(bytes);
            macKey = macKey(keyId);
            if (this.keys != null && macKey == null) {
                // Never read unauthenticated what names a key we lack: an edited key id must not turn a
                // backup into an unverified one that retention would delete.
                throw new BackupIntegrityException(id, BackupIntegrityException.WRONG_KEY_OR_CORRUPTED + ": backup " + id
                        + " names key " + keyId + ", which the key provider does not have (it has "
                        + this.keys.currentKeyId() + "); use the key it was made with");
            }
            manifest = ManifestJson.read(bytes, id, macKey);
            if (macKey == null) {
                // Not authenticated (no key provider at all): list it, but trust no
                // verification it claims, so it never counts toward retention or freshness.
                return new BackupManifest(manifest.id(), manifest.createdAt(), manifest.completedAt(),
                        manifest.compression(), manifest.keyId(), manifest.sources(), manifest.software(), List.of());
            }
        } catch (NoSuchFileException | BackupIntegrityException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new BackupIntegrityException(id, "manifest of backup " + id + " is not accepted: " + BackupRepository.oneLine(e)
                    + "; the other backups are unaffected");
        }
        List<BackupManifest.Verification> all = new ArrayList<>(manifest.verifications());
        for (String key : keys) {
            String name = key.substring(key.indexOf('/') + 1);
            if (name.startsWith(VERIFICATION_PREFIX)) {
                try (InputStream in = store.open(key)) {
                    all.add(ManifestJson.readVerification(in.readAllBytes(), id, macKey));
                } catch (ManifestJson.Unreadable e) {
                    log.warn("ignoring verification record {} of backup {}: {}", name, id, e.getMessage());
                } catch (NoSuchFileException e) {
                    // deleted under us
                }
            }
        }
        if (macKey != null) {
            Arrays.fill(macKey, (byte) 0);
        }
        return new BackupManifest(manifest.id(), manifest.createdAt(), manifest.completedAt(), manifest.compression(),
                manifest.keyId(), manifest.sources(), manifest.software(), all);
    }

    /**
     * Stores one verification record beside the backup (authenticated when there is a key). A
     * record that cannot be written is logged at WARN: the verification itself already answered.
     */
    void record(BackupManifest manifest, BackupManifest.Verification v) {
        String key = manifest.id() + "/" + VERIFICATION_PREFIX + v.verifiedAt().toEpochMilli() + "-L" + v.level().number()
                + "-" + HexFormat.of().formatHex(BackupWriter.randomBytes(2)) + ".json";
        byte[] macKey = macKey(manifest.keyId());
        try {
            BackupWriter.commit(store, key, ManifestJson.writeVerification(manifest.id(), v, macKey));
        } catch (IOException e) {
            log.warn("could not record the verification of backup {}: {}", manifest.id(), e.toString());
        } finally {
            if (macKey != null) {
                Arrays.fill(macKey, (byte) 0);
            }
        }
    }

    /** Deletes one backup, manifest first so it stops being visible at once. Caller holds the writer lock. */
    void delete(String id) {
        try {
            store.delete(id + "/" + MANIFEST); // a crash point per delete, in the store
            for (String key : store.list(id + "/")) {
                store.delete(key);
            }
            log.info("deleted backup {}", id);
        } catch (IOException e) {
            throw new BackupFailedException(BackupRepository.describeFailure("deleting backup " + id, e), e);
        }
    }
}
