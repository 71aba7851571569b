package io.opskit.backup;

import io.opskit.api.backup.BackupStore;
import io.opskit.api.backup.KeyProvider;
import io.opskit.backup.internal.SegmentedAead;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Opens one stored source of a backup for reading: the stored bytes are hashed as they stream
 * through decryption and decompression. Any failure of the archive itself surfaces as
 * {@link ArchiveException}, so callers can tell it from a failure of where they write.
 */
final class StoredArchive implements AutoCloseable {

    /** A failure of the archive (authentication, checksum, decompression), not of the destination. */
    static final class ArchiveException extends IOException {
        private static final long serialVersionUID = 1L;

        ArchiveException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final BackupManifest manifest;
    private final BackupManifest.SourceEntry entry;
    private final HashingInput stored;
    private final InputStream decrypted;
    private final Counted counted;
    private final InputStream plain;

    private StoredArchive(BackupManifest manifest, BackupManifest.SourceEntry entry, HashingInput stored,
                          InputStream decrypted, Counted counted, InputStream plain) {
        this.manifest = manifest;
        this.entry = entry;
        this.stored = stored;
        this.decrypted = decrypted;
        this.counted = counted;
        this.plain = plain;
    }

    static StoredArchive open(BackupStore store, KeyProvider keys, BackupManifest manifest,
                              BackupManifest.SourceEntry entry) throws IOException {
        return open(store, keys, manifest, entry, null);
    }

    /** Opens an archive whose plaintext reads are counted by {@code meter} (when not null). */
    static StoredArchive open(BackupStore store, KeyProvider keys, BackupManifest manifest,
                              BackupManifest.SourceEntry entry, @Nullable ProgressMeter meter) throws IOException {
        byte[] key;
        try {
            key = keys.key(manifest.keyId());
        } catch (IllegalArgumentException e) {
            throw new BackupIntegrityException(manifest.id(), BackupIntegrityException.WRONG_KEY_OR_CORRUPTED
                    + ": backup " + manifest.id() + " was encrypted with key " + manifest.keyId()
                    + ", which the key given does not match (" + keys.currentKeyId() + "); use the key file it was made with");
        }
        HashingInput stored = new HashingInput(store.open(entry.object()));
        try {
            // Decryption (and hashing) on its own thread, decompression on the caller's.
            InputStream decrypted = new Guarded(io.opskit.backup.internal.ChunkPipe.readAhead(
                    SegmentedAead.decrypt(stored, key, manifest.keyId(),
                            new SegmentedAead.Binding(manifest.id(), entry.name(), entry.kind())), "opskit-backup-decrypt-" + entry.name()), manifest, entry);
            InputStream plain = Compression.decompress(ManifestJson.codecName(manifest.compression()), decrypted);
            Counted counted = new Counted(plain, meter);
            return new StoredArchive(manifest, entry, stored, decrypted, counted, new Guarded(counted, manifest, entry));
        } catch (SegmentedAead.AuthenticationFailed e) {
            stored.close();
            throw integrity(manifest, entry, e);
        } catch (IOException e) {
            stored.close();
            throw new ArchiveException(Objects.requireNonNullElse(e.getMessage(), e.toString()), e);
        } catch (RuntimeException e) {
            stored.close(); // e.g. the codec's header failed authentication while it was read
            throw e;
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** The manifest entry of the source this archive holds. */
    BackupManifest.SourceEntry entry() {
        return entry;
    }

    /** The decrypted, decompressed snapshot. */
    InputStream plain() {
        return plain;
    }

    /**
     * Reads whatever is left (so every segment is authenticated) and checks the stored size and
     * SHA-256, and the snapshot's length, against the manifest.
     *
     * @throws BackupIntegrityException when they differ
     */
    void finish() throws IOException {
        plain.transferTo(java.io.OutputStream.nullOutputStream());
        decrypted.transferTo(java.io.OutputStream.nullOutputStream());
        stored.transferTo(java.io.OutputStream.nullOutputStream());
        String sha = stored.hex();
        if (stored.count != entry.storedBytes() || !sha.equals(entry.sha256())) {
            throw new BackupIntegrityException(manifest.id(), "checksum mismatch: backup " + manifest.id() + " source "
                    + entry.name() + " holds " + stored.count + " bytes with SHA-256 " + sha + ", the manifest says "
                    + entry.storedBytes() + " bytes with " + entry.sha256() + "; restore an older backup");
        }
        if (counted.count != entry.snapshotBytes()) {
            throw new BackupIntegrityException(manifest.id(), "backup " + manifest.id() + " source " + entry.name()
                    + " decodes to " + counted.count + " bytes, the manifest says " + entry.snapshotBytes());
        }
    }

    @Override
    public void close() throws IOException {
        plain.close();
    }

    static BackupIntegrityException integrity(BackupManifest manifest, BackupManifest.SourceEntry entry, Throwable cause) {
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new BackupIntegrityException(manifest.id(), BackupIntegrityException.WRONG_KEY_OR_CORRUPTED + ": backup "
                + manifest.id() + " source " + entry.name() + " (" + detail + "); check the key file, or restore an older backup");
    }

    /** Re-reads the stored object and checks its size and hash (level 1). */
    static void checksum(BackupStore store, BackupManifest manifest, BackupManifest.SourceEntry entry) throws IOException {
        try (HashingInput in = new HashingInput(store.open(entry.object()))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            String sha = in.hex();
            if (in.count != entry.storedBytes() || !sha.equals(entry.sha256())) {
                throw new BackupIntegrityException(manifest.id(), "checksum mismatch: backup " + manifest.id() + " source "
                        + entry.name() + " holds " + in.count + " bytes with SHA-256 " + sha + ", the manifest says "
                        + entry.storedBytes() + " bytes with " + entry.sha256() + "; restore an older backup");
            }
        }
    }

    private static final class Guarded extends FilterInputStream {
        private final BackupManifest manifest;
        private final BackupManifest.SourceEntry entry;

        Guarded(InputStream in, BackupManifest manifest, BackupManifest.SourceEntry entry) {
            super(in);
            this.manifest = manifest;
            this.entry = entry;
        }

        private final byte[] one = new byte[1]; // reused: read() is called per byte

        @Override
        public int read() throws IOException {
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (SegmentedAead.AuthenticationFailed e) {
                throw integrity(manifest, entry, e);
            } catch (IOException | RuntimeException e) {
                if (e instanceof BackupIntegrityException) {
                    throw e;
                }
                throw new ArchiveException("corrupted archive: " + e.getMessage(), e);
            }
        }
    }

    static final class HashingInput extends FilterInputStream {
        private final MessageDigest sha;
        long count;

        HashingInput(InputStream in) {
            super(in);
            try {
                this.sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                sha.update((byte) b);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                sha.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[8192];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        String hex() {
            return HexFormat.of().formatHex(sha.digest());
        }
    }

    /** Counts plaintext bytes read into a {@link ProgressMeter}. */
    private static final class Counted extends FilterInputStream {
        private final @Nullable ProgressMeter meter;
        long count;

        Counted(InputStream in, @Nullable ProgressMeter meter) {
            super(in);
            this.meter = meter;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
                if (meter != null) {
                    meter.add(1);
                }
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
                if (meter != null) {
                    meter.add(n);
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[8192];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }
    }
}
