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
 * A {@link KeyProvider} backed by one key file holding a 32-byte key. The file is either
 * <em>text</em>: the standard base64 (RFC 4648, section 4; padding optional) of the 32 bytes, 44
 * characters, with white space around it ignored (what {@code openssl rand -base64 32} writes and
 * {@link #loadOrCreate(Path)} creates); or <em>raw</em>: exactly the 32 key bytes, at least one of
 * them outside printable ASCII. A file that is all printable text is always read as base64, so 32
 * characters of text (24 bytes once decoded) are refused, never taken as the key bytes; anything
 * else is refused with a message saying how to make a key.
 *
 * <p>The key id is {@code sha256:} and the first 16 hex digits (8 bytes) of
 * {@code SHA-256("opskit-backup key id" || key)} (the label in ASCII): it names the key without
 * revealing it.
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
     * @throws KeyFileException when the file is missing or unreadable, or does not hold a key as the
     *                          class comment describes (the message says why and how to make one)
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
        byte[] key;
        try {
            key = decode(file, raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
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

    /** Decodes a key file's bytes as the class comment says; the message of the exception says why not. */
    private static byte[] decode(Path file, byte[] raw) {
        if (!isText(raw)) {
            if (raw.length == 32) {
                return raw.clone();
            }
            throw new KeyFileException("key file " + file + " must hold a 32-byte key, as 44 base64 characters or as"
                    + " 32 raw bytes; it holds " + raw.length + " bytes that are not text; create a key with"
                    + " openssl rand -base64 32");
        }
        String text = new String(raw, StandardCharsets.US_ASCII).strip();
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException("key file " + file + " holds " + text.length() + " characters of text that are"
                    + " not base64; a key file holds a 32-byte key as 44 base64 characters (openssl rand -base64 32)"
                    + (raw.length == 32 ? hintRaw(file) : ""));
        }
        if (decoded.length != 32) {
            int got = decoded.length;
            Arrays.fill(decoded, (byte) 0);
            throw new KeyFileException("key file " + file + " holds " + text.length() + " base64 characters, which"
                    + " decode to " + got + " bytes; a key is 32 bytes, 44 base64 characters (openssl rand -base64 32)"
                    + (text.length() == 64 && text.matches("[0-9a-fA-F]+") ? "; hexadecimal key files are not read" : "")
                    + (raw.length == 32 ? hintRaw(file) : ""));
        }
        return decoded;
    }

    /** For a 32-character text file that a version before 0.2 used as the raw key bytes. */
    private static String hintRaw(Path file) {
        return "; if these 32 characters themselves were the key (as Opskit 0.1 read them), keep them as base64:"
                + " base64 -w0 " + file + " > " + file + ".b64, then use that file";
    }

    /** True when every byte is printable ASCII or white space (tab, line feed, carriage return). */
    private static boolean isText(byte[] raw) {
        for (byte b : raw) {
            if ((b < 0x20 || b > 0x7e) && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
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
