package io.opskit.backup.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Streaming authenticated encryption: AES-256-GCM over fixed-size segments, in the layout that
 * FORMAT.md describes. The JDK's AES-GCM is used (hardware-accelerated); only the framing is ours,
 * because no well-kept Java library offers segmented GCM without pulling in a large dependency.
 *
 * <p>Each archive gets a random 32-byte salt; the segment key is HKDF-SHA256(master key, salt). A
 * segment's nonce is a random 7-byte prefix, the 4-byte segment index and a 1-byte "last" flag, so
 * reordering, truncation and appending are all detected. The whole header is every segment's
 * associated data, so the header is authenticated too. Memory: two segments per stream.
 */
public final class SegmentedAead {

    /** The magic bytes that start an encrypted archive. */
    static final byte[] MAGIC = "OPSKBAK1".getBytes(StandardCharsets.US_ASCII);
    /** The format version written in the header (2: the header binds backup id, source name and kind). */
    public static final int FORMAT_VERSION = 2;
    /** The first format version, still read: its header binds nothing but the key id. */
    static final int LEGACY_VERSION = 1;
    /** Plaintext bytes per segment. */
    public static final int DEFAULT_SEGMENT_SIZE = 1 << 20;
    private static final int TAG_BYTES = 16;
    /**
     * Bytes per Cipher call. JDK 17 reaches its AES-GCM intrinsics only from callers that C2 has
     * compiled, and C2 compiles a loop-free method after about 5,000 calls. With 16 KiB calls that
     * was the first 80 MB of every process at about 60 MB/s (17 ms per MiB still after 40 MiB; a
     * {@code wal-push} process never got past it). With 512-byte calls it took 3.4 ms per MiB from
     * the fourth MiB on and 0.4 ms (2.5 GB/s) from the sixteenth, far above the compressor's pace.
     */
    private static final int SLICE = 512;
    private static final int SALT_BYTES = 32;
    private static final int PREFIX_BYTES = 7;
    private static final byte[] HKDF_INFO = "opskit-backup v1 aes-256-gcm segment key".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private SegmentedAead() {
    }

    /** Thrown inside this package when authentication fails; mapped to the public exception by callers. */
    public static final class AuthenticationFailed extends IOException {
        private static final long serialVersionUID = 1L;

        AuthenticationFailed(String message) {
            super(message);
        }
    }

    /**
     * What an archive belongs to, written into its header and so authenticated by every segment:
     * an archive copied under another backup or source is refused.
     *
     * @param backupId the backup id
     * @param source   the source name
     * @param kind     the source kind
     */
    public record Binding(String backupId, String source, String kind) {
        /** No binding (tests of the framing alone). */
        public static final Binding NONE = new Binding("", "", "");
    }

    /**
     * Opens an encrypting stream over {@code out} with no binding; closing it writes the final
     * segment and closes {@code out}.
     */
    public static OutputStream encrypt(OutputStream out, byte[] masterKey, String keyId, int segmentSize) throws IOException {
        return encrypt(out, masterKey, keyId, segmentSize, Binding.NONE);
    }

    /**
     * Opens an encrypting stream over {@code out} whose header binds the archive to {@code binding};
     * closing it writes the final segment and closes {@code out}.
     */
    public static OutputStream encrypt(OutputStream out, byte[] masterKey, String keyId, int segmentSize,
                                       Binding binding) throws IOException {
        byte[] salt = new byte[SALT_BYTES];
        byte[] prefix = new byte[PREFIX_BYTES];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(prefix);
        byte[] header = header(FORMAT_VERSION, segmentSize, salt, prefix, keyId, binding);
        out.write(header);
        return new Encryptor(out, deriveKey(masterKey, salt), prefix, header, segmentSize);
    }

    /**
     * Opens a decrypting stream over {@code in}, reading the header first, accepting any binding.
     *
     * @throws AuthenticationFailed when the header is not an archive header
     */
    public static InputStream decrypt(InputStream in, byte[] masterKey) throws IOException {
        return decrypt(in, masterKey, null, null);
    }

    /**
     * Opens a decrypting stream over {@code in}, reading and checking the header first: its key id
     * must be {@code expectedKeyId} and its binding {@code expected} (when not null). A version-1
     * header carries no binding and is accepted as such. The binding is authenticated with the
     * first segment read.
     *
     * @throws AuthenticationFailed when the header is not an archive header, names another key, or
     *                              binds the archive to another backup or source
     */
    public static InputStream decrypt(InputStream in, byte[] masterKey, @Nullable String expectedKeyId,
                                      @Nullable Binding expected) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] magic = new byte[MAGIC.length];
        readHeaderBytes(data, magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new AuthenticationFailed("not an Opskit archive (bad magic)");
        }
        int version = readHeaderByte(data);
        if (version != FORMAT_VERSION && version != LEGACY_VERSION) {
            throw new AuthenticationFailed("unsupported archive format version " + version);
        }
        byte[] sizeBytes = new byte[4];
        readHeaderBytes(data, sizeBytes);
        int segmentSize = ByteBuffer.wrap(sizeBytes).getInt();
        if (segmentSize < 1024 || segmentSize > (64 << 20)) {
            throw new AuthenticationFailed("bad segment size in header");
        }
        byte[] salt = new byte[SALT_BYTES];
        readHeaderBytes(data, salt);
        byte[] prefix = new byte[PREFIX_BYTES];
        readHeaderBytes(data, prefix);
        String keyId = readShortString(data);
        Binding binding = Binding.NONE;
        if (version >= 2) {
            binding = new Binding(readShortString(data), readShortString(data), readShortString(data));
        }
        if (expectedKeyId != null && !expectedKeyId.equals(keyId)) {
            throw new AuthenticationFailed("the archive names key " + keyId + ", its manifest " + expectedKeyId);
        }
        if (expected != null && version >= 2 && !expected.equals(binding)) {
            throw new AuthenticationFailed("the archive belongs to backup " + binding.backupId() + " source "
                    + binding.source() + " (" + binding.kind() + "), not to backup " + expected.backupId()
                    + " source " + expected.source() + " (" + expected.kind() + ")");
        }
        byte[] header = header(version, segmentSize, salt, prefix, keyId, binding);
        return new Decryptor(data, deriveKey(masterKey, salt), prefix, header, segmentSize);
    }

    private static String readShortString(DataInputStream data) throws IOException {
        byte[] bytes = new byte[readHeaderByte(data)];
        readHeaderBytes(data, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The key id recorded in an archive header, read without the key. */
    public static String readKeyId(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] skip = new byte[MAGIC.length + 1 + 4 + SALT_BYTES + PREFIX_BYTES];
        readHeaderBytes(data, skip);
        byte[] keyId = new byte[readHeaderByte(data)];
        readHeaderBytes(data, keyId);
        return new String(keyId, StandardCharsets.UTF_8);
    }

    private static void readHeaderBytes(DataInputStream in, byte[] into) throws IOException {
        try {
            in.readFully(into);
        } catch (EOFException e) {
            throw new AuthenticationFailed("archive truncated inside its header");
        }
    }

    private static int readHeaderByte(DataInputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new AuthenticationFailed("archive truncated inside its header");
        }
        return b;
    }

    private static byte[] header(int version, int segmentSize, byte[] salt, byte[] prefix, String keyId, Binding binding) {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.writeBytes(MAGIC);
        header.write(version);
        header.writeBytes(ByteBuffer.allocate(4).putInt(segmentSize).array());
        header.writeBytes(salt);
        header.writeBytes(prefix);
        writeShortString(header, "keyId", keyId);
        if (version >= 2) {
            writeShortString(header, "backupId", binding.backupId());
            writeShortString(header, "source", binding.source());
            writeShortString(header, "kind", binding.kind());
        }
        return header.toByteArray();
    }

    private static void writeShortString(ByteArrayOutputStream out, String field, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 255) {
            throw new IllegalArgumentException(field + " must be at most 255 bytes: " + value);
        }
        out.write(bytes.length);
        out.writeBytes(bytes);
    }

    static SecretKeySpec deriveKey(byte[] masterKey, byte[] salt) {
        if (masterKey.length != 32) {
            throw new IllegalArgumentException("key must be 32 bytes: " + masterKey.length);
        }
        try {
            // HKDF-SHA256 (RFC 5869) with one output block.
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt, "HmacSHA256"));
            byte[] prk = mac.doFinal(masterKey);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            mac.update(HKDF_INFO);
            mac.update((byte) 1);
            byte[] okm = mac.doFinal();
            Arrays.fill(prk, (byte) 0);
            return new SecretKeySpec(okm, "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF-SHA256 unavailable", e);
        }
    }

    private static byte[] nonce(byte[] prefix, long index, boolean last) {
        if (index > 0xFFFF_FFFFL) {
            throw new IllegalStateException("archive too large: more than 2^32 segments");
        }
        byte[] nonce = new byte[12];
        System.arraycopy(prefix, 0, nonce, 0, PREFIX_BYTES);
        nonce[7] = (byte) (index >>> 24);
        nonce[8] = (byte) (index >>> 16);
        nonce[9] = (byte) (index >>> 8);
        nonce[10] = (byte) index;
        nonce[11] = (byte) (last ? 1 : 0);
        return nonce;
    }

    private static final class Encryptor extends OutputStream {
        private final OutputStream out;
        private final SecretKeySpec key;
        private final byte[] prefix;
        private final byte[] header;
        private final byte[] plain;
        private final byte[] sealed;
        private final Cipher cipher;
        private int filled;
        private long index;
        private boolean closed;

        Encryptor(OutputStream out, SecretKeySpec key, byte[] prefix, byte[] header, int segmentSize) throws IOException {
            this.out = out;
            this.key = key;
            this.prefix = prefix;
            this.header = header;
            this.plain = new byte[segmentSize];
            this.sealed = new byte[segmentSize + TAG_BYTES];
            try {
                this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IOException("AES-GCM unavailable", e);
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (filled == plain.length) {
                    // Only seal a full segment once more data arrives: the last one must carry the flag.
                    seal(false);
                }
                int n = Math.min(len, plain.length - filled);
                System.arraycopy(b, off, plain, filled, n);
                filled += n;
                off += n;
                len -= n;
            }
        }

        private void seal(boolean last) throws IOException {
            try {
                cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce(prefix, index, last)));
                cipher.updateAAD(header);
                int n = 0;
                int p = 0;
                while (filled - p > SLICE) {
                    n += cipher.update(plain, p, SLICE, sealed, n);
                    p += SLICE;
                }
                n += cipher.doFinal(plain, p, filled - p, sealed, n);
                out.write(sealed, 0, n);
            } catch (GeneralSecurityException e) {
                throw new IOException("encryption failed", e);
            }
            index++;
            filled = 0;
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                seal(true);
                Arrays.fill(plain, (byte) 0);
            } finally {
                out.close();
            }
        }
    }

    private static final class Decryptor extends InputStream {
        private final DataInputStream in;
        private final SecretKeySpec key;
        private final byte[] prefix;
        private final byte[] header;
        private final byte[] sealed;
        private final byte[] plain;
        private final byte[] scratch = new byte[SLICE + 2 * TAG_BYTES];
        private final Cipher ctr;
        private final Cipher gcm;
        private int pos;
        private int limit;
        private long index;
        private boolean finished;
        private int lookahead = -2;

        Decryptor(DataInputStream in, SecretKeySpec key, byte[] prefix, byte[] header, int segmentSize) throws IOException {
            this.in = in;
            this.key = key;
            this.prefix = prefix;
            this.header = header;
            this.sealed = new byte[segmentSize + TAG_BYTES];
            this.plain = new byte[segmentSize + TAG_BYTES];
            try {
                this.ctr = Cipher.getInstance("AES/CTR/NoPadding");
                this.gcm = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IOException("AES-GCM unavailable", e);
            }
        }

        private final byte[] one = new byte[1]; // reused: read() is called per byte

        @Override
        public int read() throws IOException {
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos == limit) {
                if (finished) {
                    return -1;
                }
                nextSegment();
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(plain, pos, b, off, n);
            pos += n;
            return n;
        }

        private void nextSegment() throws IOException {
            int got = 0;
            if (lookahead >= 0) {
                sealed[0] = (byte) lookahead;
                got = 1;
                lookahead = -2;
            }
            while (got < sealed.length) {
                int n = in.read(sealed, got, sealed.length - got);
                if (n < 0) {
                    break;
                }
                got += n;
            }
            boolean last;
            if (got < sealed.length) {
                last = true;
            } else {
                lookahead = in.read();
                last = lookahead < 0;
            }
            if (got < TAG_BYTES) {
                throw new AuthenticationFailed("archive truncated");
            }
            int length = got - TAG_BYTES;
            byte[] nonce = nonce(prefix, index, last);
            try {
                // GCM decryption, done as CTR decryption plus re-computing the tag by GCM-encrypting
                // the result under the same nonce: JDK 17's GCM decrypt buffers a whole segment and
                // runs it in one un-intrinsified call (~20 MB/s), while these sliced encrypt-direction
                // calls run at full speed. The tag is compared in constant time before any
                // plaintext of the segment is released, exactly as GCM decryption would.
                byte[] counter = new byte[16];
                System.arraycopy(nonce, 0, counter, 0, 12);
                counter[15] = 2; // GCM's first data block counter is inc32(nonce || 1)
                ctr.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(counter));
                int n = 0;
                for (int p = 0; p < length; p += SLICE) {
                    n += ctr.update(sealed, p, Math.min(SLICE, length - p), plain, n);
                }
                n += ctr.doFinal(sealed, length, 0, plain, n);
                if (n != length) {
                    throw new AuthenticationFailed("segment " + index + " could not be decrypted");
                }
                gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
                gcm.updateAAD(header);
                for (int p = 0; p < length; p += SLICE) {
                    gcm.update(plain, p, Math.min(SLICE, length - p), scratch, 0);
                }
                int tail = gcm.doFinal(plain, length, 0, scratch, 0);
                if (tail < TAG_BYTES || !MessageDigest.isEqual(Arrays.copyOfRange(scratch, tail - TAG_BYTES, tail),
                        Arrays.copyOfRange(sealed, length, got))) {
                    Arrays.fill(plain, 0, length, (byte) 0);
                    throw new AuthenticationFailed("segment " + index + " failed authentication");
                }
                limit = length;
            } catch (GeneralSecurityException e) {
                throw new AuthenticationFailed("segment " + index + " could not be decrypted: " + e.getMessage());
            }
            pos = 0;
            index++;
            finished = last;
        }

        @Override
        public void close() throws IOException {
            Arrays.fill(plain, (byte) 0);
            in.close();
        }
    }
}
