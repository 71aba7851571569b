package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.backup.internal.FileArchive;
import io.opskit.backup.internal.SegmentedAead;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Statements of FORMAT.md checked against what the code writes, with a decoder written from the
 * document alone (JDK primitives only), so that a second implementation needs no source code.
 */
class FormatDocumentTest {

    @TempDir
    Path dir;

    private static final byte[] MASTER = new byte[32];

    static {
        new Random(7).nextBytes(MASTER);
    }

    /** One decoded segment: its plaintext and its last flag. */
    record Segment(byte[] plain, boolean last) {
    }

    /** FORMAT.md "Encrypted archive": header, HKDF key, nonce = prefix || u32(i) || lastFlag, aad = header. */
    private static List<Segment> decodeFromTheDocument(byte[] archive) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(archive);
        byte[] magic = new byte[8];
        b.get(magic);
        assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("OPSKBAK1");
        int version = b.get() & 0xFF;
        assertThat(version).isEqualTo(2);
        int segmentSize = b.getInt();
        byte[] salt = new byte[32];
        b.get(salt);
        byte[] prefix = new byte[7];
        b.get(prefix);
        for (int field = 0; field < 4; field++) { // keyId, backupId, source, kind: length byte, UTF-8
            int n = b.get() & 0xFF;
            b.position(b.position() + n);
        }
        byte[] header = Arrays.copyOf(archive, b.position());
        // K = HKDF-SHA256(ikm = master, salt = salt, info = label), one block
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt, "HmacSHA256"));
        byte[] prk = mac.doFinal(MASTER);
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        mac.update("opskit-backup v1 aes-256-gcm segment key".getBytes(StandardCharsets.US_ASCII));
        byte[] k = mac.doFinal(new byte[] {1});
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; b.hasRemaining(); i++) {
            int stored = Math.min(segmentSize + 16, b.remaining());
            boolean last = b.remaining() <= segmentSize + 16; // the object ends within or right after it
            byte[] nonce = ByteBuffer.allocate(12).put(prefix).putInt(i).put((byte) (last ? 1 : 0)).array();
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k, "AES"), new GCMParameterSpec(128, nonce));
            gcm.updateAAD(header);
            byte[] sealed = new byte[stored];
            b.get(sealed);
            segments.add(new Segment(gcm.doFinal(sealed), last));
        }
        return segments;
    }

    private static byte[] encrypt(byte[] plain, int segmentSize) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream enc = SegmentedAead.encrypt(out, MASTER, KeyFile.ofKey(MASTER).currentKeyId(), segmentSize,
                new SegmentedAead.Binding("20261201T000000Z-abcdef", "app-db", "sqlite"))) {
            enc.write(plain);
        }
        return out.toByteArray();
    }

    @Test
    void finding8_plaintextOfExactlyTwoSegments_endsWithAFullSegmentFlaggedLast_notAnEmptyOne() throws Exception {
        byte[] plain = new byte[2 * 1024];
        new Random(1).nextBytes(plain);

        List<Segment> segments = decodeFromTheDocument(encrypt(plain, 1024));

        assertThat(segments).hasSize(2);
        assertThat(segments.get(0).last()).isFalse();
        assertThat(segments.get(1).last()).isTrue();
        assertThat(segments.get(1).plain()).hasSize(1024);
        byte[] joined = new byte[2048];
        System.arraycopy(segments.get(0).plain(), 0, joined, 0, 1024);
        System.arraycopy(segments.get(1).plain(), 0, joined, 1024, 1024);
        assertThat(joined).isEqualTo(plain);
    }

    @Test
    void finding8_emptyPlaintext_isOneEmptyFinalSegment_theTagAlone_andAPartialLastSegmentIsShort() throws Exception {
        byte[] empty = encrypt(new byte[0], 1024);
        List<Segment> none = decodeFromTheDocument(empty);
        assertThat(none).hasSize(1);
        assertThat(none.get(0).last()).isTrue();
        assertThat(none.get(0).plain()).isEmpty();

        List<Segment> partial = decodeFromTheDocument(encrypt(new byte[1500], 1024));
        assertThat(partial).extracting(s -> s.plain().length).containsExactly(1024, 476);
        assertThat(partial).extracting(Segment::last).containsExactly(false, true);
    }

    @Test
    void finding8_filesContainer_orderModeBitsSignednessAndEnd_areAsDocumented() throws Exception {
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("a"));
        Files.writeString(root.resolve("a/z.txt"), "zz");
        Files.writeString(root.resolve("a-b.txt"), "ab");
        Files.writeString(root.resolve("b.txt"), "b");
        Files.setPosixFilePermissions(root.resolve("b.txt"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(root.resolve("b.txt"), FileTime.fromMillis(-86_400_000L)); // 1969-12-31
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        BackupSources.files("conf", root).writeSnapshot(snapshot);
        byte[] bytes = snapshot.toByteArray();

        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        byte[] magic = new byte[8];
        in.readFully(magic);
        assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("OPSKFIL1");
        List<String> paths = new ArrayList<>();
        while (true) {
            int type = in.readUnsignedByte();
            if (type == 0) {
                break;
            }
            byte[] path = new byte[in.readUnsignedShort()];
            in.readFully(path);
            int mode = in.readUnsignedShort();
            long mtime = in.readLong(); // signed: before 1970 is negative
            String p = new String(path, StandardCharsets.UTF_8);
            paths.add((type == 2 ? "d " : "f ") + p);
            if (type == 1) {
                long size = in.readLong();
                in.skipNBytes(size);
            }
            if (p.equals("b.txt")) {
                assertThat(mode).as("the nine permission bits, owner read = 0400").isEqualTo(0750);
                assertThat(mtime).isEqualTo(-86_400_000L);
            }
        }
        assertThat(in.available()).as("nothing follows the end marker").isZero();
        // Sorted by path bytes: "a-b.txt" ('-' = 0x2d) sorts before "a/z.txt" ('/' = 0x2f), after directory "a".
        assertThat(paths).containsExactly("d a", "f a-b.txt", "f a/z.txt", "f b.txt");

        // An entry with a negative size is refused, as the document says.
        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        DataOutputStream w = new DataOutputStream(bad);
        FileArchive.writeStart(w);
        FileArchive.writeEntry(w, FileArchive.FILE, "x", 0, 0, -1, "");
        w.flush();
        DataInputStream r = new DataInputStream(new ByteArrayInputStream(bad.toByteArray()));
        FileArchive.readStart(r);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FileArchive.readEntry(r))
                .hasMessageContaining("negative size");
    }

    @Test
    void finding8_lockLease_holdsTheDocumentedFields_withMillisecondExpiry() throws Exception {
        java.time.Instant now = java.time.Instant.parse("2026-12-01T02:00:00.123456789Z");
        java.time.Clock clock = java.time.Clock.fixed(now, java.time.ZoneOffset.UTC);
        try (io.opskit.backup.internal.LeaseLock lock = io.opskit.backup.internal.LeaseLock.acquire(dir, clock,
                java.time.Duration.ofMinutes(2), false)) {
            com.fasterxml.jackson.databind.JsonNode lease = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(Files.readAllBytes(dir.resolve(".lock")));

            List<String> fields = new ArrayList<>();
            lease.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactlyInAnyOrder("owner", "host", "pid", "expiresAtMillis", "expiresAt");
            assertThat(lease.get("owner").asText()).isEqualTo(lock.owner())
                    .matches(java.util.regex.Pattern.quote(lease.get("host").asText()) + "/" + ProcessHandle.current().pid()
                            + "/[0-9a-f]{8}");
            assertThat(lease.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
            // milliseconds: the nanoseconds of the clock are cut, not rounded
            assertThat(lease.get("expiresAtMillis").asLong()).isEqualTo(now.plusSeconds(120).toEpochMilli());
            assertThat(lease.get("expiresAt").asText()).isEqualTo(now.plusSeconds(120).toString());
        }
    }
}
