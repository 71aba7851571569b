package io.opskit.db.internal;

import io.opskit.api.backup.BackupStore;
import io.opskit.api.backup.KeyProvider;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Archive files of retention batches, format version 1 (see ops-db's FORMAT.md): the magic
 * {@code OPSKITDBA1}, a 2-byte key-id length and the UTF-8 key id, a 12-byte nonce, then
 * AES-256-GCM (128-bit tag, the header as associated data) over the gzip of JSON lines, one object
 * per row with the column names as keys. A batch is small (a thousand rows by default), so it is
 * encrypted in memory.
 */
public final class ArchiveFiles {

    static final byte[] MAGIC = "OPSKITDBA1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private ArchiveFiles() {
    }

    /** The rows of {@code rs} (read to the end) as JSON lines. Returns the row count in {@code count[0]}. */
    public static byte[] jsonLines(ResultSet rs, long[] count) throws SQLException, IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        ResultSetMetaData meta = rs.getMetaData();
        int columns = meta.getColumnCount();
        StringBuilder line = new StringBuilder();
        while (rs.next()) {
            line.setLength(0);
            line.append('{');
            for (int i = 1; i <= columns; i++) {
                if (i > 1) {
                    line.append(',');
                }
                Json.string(line, meta.getColumnLabel(i));
                line.append(':');
                Object v = rs.getObject(i);
                if (v == null) {
                    line.append("null");
                } else if (v instanceof Number || v instanceof Boolean) {
                    line.append(v);
                } else if (v instanceof byte[] bytes) {
                    Json.string(line, java.util.Base64.getEncoder().encodeToString(bytes));
                } else {
                    Json.string(line, v.toString());
                }
            }
            line.append("}\n");
            raw.write(line.toString().getBytes(StandardCharsets.UTF_8));
            count[0]++;
        }
        return raw.toByteArray();
    }

    /** Compresses, encrypts and commits {@code plain} under {@code key}. */
    public static void write(BackupStore store, String key, KeyProvider keys, byte[] plain) throws IOException {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
            gz.write(plain);
        }
        String keyId = keys.currentKeyId();
        byte[] id = keyId.getBytes(StandardCharsets.UTF_8);
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(MAGIC);
        header.write(id.length >>> 8);
        header.write(id.length & 0xff);
        header.write(id);
        header.write(nonce);
        byte[] head = header.toByteArray();
        byte[] secret = keys.key(keyId);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(secret, "AES"), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(head);
            byte[] sealed = cipher.doFinal(zipped.toByteArray());
            try (BackupStore.PendingObject out = store.create(key)) {
                out.write(head);
                out.write(sealed);
                out.commit();
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encrypt archive " + key + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** Reads, authenticates and decompresses an archive file back to its JSON lines. */
    public static String read(BackupStore store, String key, KeyProvider keys) throws IOException {
        try (InputStream in = store.open(key); DataInputStream data = new DataInputStream(in)) {
            byte[] magic = new byte[MAGIC.length];
            data.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException("not an Opskit DB archive (version 1): " + key);
            }
            int idLength = data.readUnsignedShort();
            byte[] id = new byte[idLength];
            data.readFully(id);
            byte[] nonce = new byte[12];
            data.readFully(nonce);
            byte[] sealed = data.readAllBytes();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            head.write(magic);
            head.write(idLength >>> 8);
            head.write(idLength & 0xff);
            head.write(id);
            head.write(nonce);
            byte[] secret = keys.key(new String(id, StandardCharsets.UTF_8));
            try {
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(secret, "AES"), new GCMParameterSpec(128, nonce));
                cipher.updateAAD(head.toByteArray());
                byte[] zipped = cipher.doFinal(sealed);
                try (GZIPInputStream gz = new GZIPInputStream(new java.io.ByteArrayInputStream(zipped))) {
                    return new String(gz.readAllBytes(), StandardCharsets.UTF_8);
                }
            } catch (GeneralSecurityException e) {
                throw new IOException("archive " + key + " fails authentication (wrong key or altered)", e);
            } finally {
                Arrays.fill(secret, (byte) 0);
            }
        }
    }
}
