package io.opskit.backup;

import io.opskit.api.backup.KeyProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KeyProvider} backed by one key file holding 32 bytes, raw or base64. The key id is
 * {@code sha256:} and the first 16 hex digits of the SHA-256 of a fixed label and the key: it
 * names the key without revealing it.
 *
 * <p>Loading warns (once per load) when the file is readable or writable by group or others.
 * Immutable and thread-safe; every {@link #key(String)} call returns a fresh copy.
 */
public final class KeyFile implements KeyProvider {

    private static final Logger log = LoggerFactory.getLogger(KeyFile.class);

    private final byte[] key;
    private final String keyId;
    private final boolean exposed;

    private KeyFile(byte[] key, boolean exposed) {
        this.key = key;
        this.keyId = idOf(key);
        this.exposed = exposed;
    }

    /**
     * Loads a key file.
     *
     * @throws KeyFileException when the file is missing, unreadable or does not hold 32 bytes
     */
    public static KeyFile load(Path file) {
        Objects.requireNonNull(file, "file");
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new KeyFileException("cannot read key file " + file + ": " + e.getMessage()
                    + "; create one with 32 random bytes (e.g. openssl rand -base64 32)");
        }
        byte[] key = decode(raw);
        Arrays.fill(raw, (byte) 0);
        if (key == null) {
            throw new KeyFileException("key file " + file + " must hold 32 bytes, raw or base64");
        }
        boolean exposed = readableByOthers(file);
        if (exposed) {
            log.warn("key file {} is accessible to group or others; restrict it with chmod 600", file);
        }
        return new KeyFile(key, exposed);
    }

    /**
     * Loads the key file, first creating it with 32 random bytes (base64, permissions 0600 where the
     * file system supports them) when it does not exist.
     *
     * @throws KeyFileException when it can be neither created nor loaded
     */
    public static KeyFile loadOrCreate(Path file) {
        Objects.requireNonNull(file, "file");
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            byte[] text = Base64.getEncoder().encode(key);
            Arrays.fill(key, (byte) 0);
            try {
                Path parent = file.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                boolean posix = Files.getFileStore(parent).supportsFileAttributeView(PosixFileAttributeView.class);
                if (posix) {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } else {
                    Files.createFile(file);
                }
                try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
                    out.write(text);
                    out.write('\n');
                }
                log.info("created a new backup key file {}; keep a copy elsewhere: backups cannot be restored without it", file);
            } catch (FileAlreadyExistsException e) {
                // Another process created it first: load theirs.
            } catch (IOException e) {
                throw new KeyFileException("cannot create key file " + file + ": " + e.getMessage());
            } finally {
                Arrays.fill(text, (byte) 0);
            }
        }
        return load(file);
    }

    /**
     * A key provider over a key held in memory (for hosts that fetch keys themselves).
     *
     * @param key 32 bytes; copied
     * @throws IllegalArgumentException when the key is not 32 bytes
     */
    public static KeyFile ofKey(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("key must be 32 bytes: " + key.length);
        }
        return new KeyFile(key.clone(), false);
    }

    private static byte @org.jspecify.annotations.Nullable [] decode(byte[] raw) {
        if (raw.length == 32) {
            return raw.clone();
        }
        String text = new String(raw, StandardCharsets.US_ASCII).trim();
        try {
            byte[] decoded = Base64.getDecoder().decode(text);
            return decoded.length == 32 ? decoded : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean readableByOthers(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            return perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)
                    || perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE);
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        }
    }

    private static String idOf(byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("opskit-backup key id".getBytes(StandardCharsets.US_ASCII));
            return "sha256:" + HexFormat.of().formatHex(sha.digest(key), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when the file was readable or writable by group or others when it was loaded. */
    public boolean accessibleToOthers() {
        return exposed;
    }

    @Override
    public String currentKeyId() {
        return keyId;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code keyId} is not this file's key id
     */
    @Override
    public byte[] key(String keyId) {
        if (!this.keyId.equals(keyId)) {
            throw new IllegalArgumentException("keyId is not the key file's key (" + this.keyId + "): " + keyId);
        }
        return key.clone();
    }

    @Override
    public String toString() {
        return "KeyFile{" + keyId + "}";
    }
}
