package io.opskit.backup.pitr.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.backup.KeyProvider;
import io.opskit.backup.KeyFile;
import io.opskit.backup.internal.SegmentedAead;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Random;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/**
 * The stored form of one WAL file, both versions: version 2 ends its content with a CRC32C,
 * version 1 (read only) with a SHA-256. The objects with a wrong check value below are encrypted
 * with the right key, as a decoder bug would make them: authentication passes, the check must not.
 */
class SegmentCodecTest {

    private static final String NAME = "000000010000000000000007";
    private static final Instant AT = Instant.parse("2026-12-01T02:00:00Z");

    private static KeyProvider keys() throws IOException {
        Path dir = Files.createTempDirectory("opskit-codec-test");
        return KeyFile.loadOrCreate(dir.resolve("key"));
    }

    @Property(tries = 60)
    void encodeThenOpen_returnsTheContentAndHeader(@ForAll @IntRange(max = 200_000) int length,
                                                   @ForAll("codecs") String codec, @ForAll long seed) throws Exception {
        byte[] content = content(length, seed);
        KeyProvider keys = keys();
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        SegmentCodec.encode(new ByteArrayInputStream(content), length, NAME, AT, codec, codec.equals("gzip") ? 6 : 3,
                keys, stored);

        try (SegmentCodec.Decoded d = SegmentCodec.open(new ByteArrayInputStream(stored.toByteArray()), keys, NAME)) {
            assertThat(d.header()).isEqualTo(new SegmentCodec.Header(NAME, AT, length, codec));
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            d.copyTo(back);
            assertThat(back.toByteArray()).isEqualTo(content);
        }
    }

    @Provide
    Arbitrary<String> codecs() {
        return Arbitraries.of("none", "zstd", "gzip");
    }

    @Property(tries = 30)
    void open_underAnotherName_isRefused(@ForAll @StringLength(min = 1, max = 30) String otherName) throws Exception {
        if (otherName.equals(NAME)) {
            return;
        }
        KeyProvider keys = keys();
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        byte[] content = content(1000, 1);
        SegmentCodec.encode(new ByteArrayInputStream(content), content.length, NAME, AT, "zstd", 3, keys, stored);

        assertThatThrownBy(() -> SegmentCodec.open(new ByteArrayInputStream(stored.toByteArray()), keys, otherName))
                .isInstanceOf(SegmentCodec.CorruptObject.class).hasMessageContaining("wrong key or corrupted archive");
    }

    @Test
    void version2_contentThatFailsItsCrc32c_isRefusedNamingTheCheck() throws Exception {
        KeyProvider keys = keys();
        byte[] content = content(5000, 2);
        CRC32C crc = new CRC32C();
        crc.update(content);
        byte[] object = craft(keys, "OPSKWAL2", content, out -> out.writeInt((int) crc.getValue() ^ 1));

        assertThatThrownBy(() -> decode(object, keys)).isInstanceOf(SegmentCodec.CorruptObject.class)
                .hasMessage("WAL object " + NAME + " fails its CRC32C check");
        byte[] good = craft(keys, "OPSKWAL2", content, out -> out.writeInt((int) crc.getValue()));
        assertThat(decode(good, keys)).isEqualTo(content);
    }

    @Test
    void version1_contentThatFailsItsSha256_isRefusedNamingTheCheck() throws Exception {
        KeyProvider keys = keys();
        byte[] content = content(5000, 3);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(content);
        byte[] wrong = digest.clone();
        wrong[31] ^= 1;
        byte[] object = craft(keys, "OPSKWAL1", content, out -> out.write(wrong));

        assertThatThrownBy(() -> decode(object, keys)).isInstanceOf(SegmentCodec.CorruptObject.class)
                .hasMessage("WAL object " + NAME + " fails its SHA-256 check");
        byte[] good = craft(keys, "OPSKWAL1", content, out -> out.write(digest));
        assertThat(decode(good, keys)).isEqualTo(content);
    }

    @Test
    void unknownVersion_isRefusedAsNotAWalObject() throws Exception {
        KeyProvider keys = keys();
        byte[] object = craft(keys, "OPSKWAL9", content(10, 4), out -> out.writeInt(0));

        assertThatThrownBy(() -> decode(object, keys)).isInstanceOf(SegmentCodec.CorruptObject.class)
                .hasMessage("not an Opskit WAL object (bad magic)");
    }

    @Test
    void checkValueTruncated_isRefused() throws Exception {
        KeyProvider keys = keys();
        byte[] content = content(5000, 5);
        byte[] object = craft(keys, "OPSKWAL2", content, out -> out.writeShort(0));

        assertThatThrownBy(() -> decode(object, keys)).isInstanceOf(SegmentCodec.CorruptObject.class)
                .hasMessageContaining("corrupted WAL object " + NAME);
    }

    private interface Trailer {
        void write(DataOutputStream out) throws IOException;
    }

    /** An authentic object with codec "none", laid out by hand as FORMAT.md describes it. */
    private static byte[] craft(KeyProvider keys, String magic, byte[] content, Trailer trailer) throws IOException {
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        String keyId = keys.currentKeyId();
        try (OutputStream encrypted = SegmentedAead.encrypt(stored, keys.key(keyId), keyId,
                SegmentedAead.DEFAULT_SEGMENT_SIZE, new SegmentedAead.Binding("wal", NAME, "wal"));
             DataOutputStream out = new DataOutputStream(encrypted)) {
            out.write(magic.getBytes(StandardCharsets.US_ASCII));
            out.write(0); // codec none
            out.writeLong(AT.toEpochMilli());
            out.writeLong(content.length);
            byte[] name = NAME.getBytes(StandardCharsets.UTF_8);
            out.writeShort(name.length);
            out.write(name);
            out.write(content);
            trailer.write(out);
        }
        return stored.toByteArray();
    }

    private static byte[] decode(byte[] object, KeyProvider keys) throws IOException {
        try (SegmentCodec.Decoded d = SegmentCodec.open(new ByteArrayInputStream(object), keys, NAME)) {
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            d.copyTo(back);
            return back.toByteArray();
        }
    }

    private static byte[] content(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        for (int i = 0; i < length / 2; i++) {
            bytes[i] = 0;
        }
        return bytes;
    }
}
