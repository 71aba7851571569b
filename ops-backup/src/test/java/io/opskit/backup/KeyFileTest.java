package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {

    @TempDir
    Path dir;

    @Test
    void load_rawAndBase64OfSameKey_haveSameIdAndKey() throws Exception {
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) (i * 7);
        }
        Files.write(dir.resolve("raw"), key);
        Files.writeString(dir.resolve("b64"), Base64.getEncoder().encodeToString(key) + "\n");

        KeyFile raw = KeyFile.load(dir.resolve("raw"));
        KeyFile b64 = KeyFile.load(dir.resolve("b64"));

        assertThat(raw.currentKeyId()).isEqualTo(b64.currentKeyId()).startsWith("sha256:").hasSize(23);
        assertThat(raw.key(raw.currentKeyId())).isEqualTo(key);
        assertThat(raw.toString()).doesNotContain(Base64.getEncoder().encodeToString(key));
    }

    @Test
    void load_wrongLength_namesFileAndRule() throws Exception {
        Files.writeString(dir.resolve("short"), "c2hvcnQ=");
        assertThatThrownBy(() -> KeyFile.load(dir.resolve("short"))).isInstanceOf(KeyFileException.class)
                .hasMessage("key file " + dir.resolve("short") + " holds 8 base64 characters, which decode to 5 bytes;"
                        + " a key is 32 bytes, 44 base64 characters (openssl rand -base64 32)");
        assertThatThrownBy(() -> KeyFile.load(dir.resolve("missing"))).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("cannot read key file").hasMessageContaining("openssl rand -base64 32");
    }

    @Test
    void loadOrCreate_newFile_isOwnerOnly_andReadableByOthersIsFlagged() throws Exception {
        KeyFile created = KeyFile.loadOrCreate(dir.resolve("new.key"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new.key")))).isEqualTo("rw-------");
        assertThat(created.accessibleToOthers()).isFalse();
        assertThat(KeyFile.loadOrCreate(dir.resolve("new.key")).currentKeyId()).isEqualTo(created.currentKeyId());

        Files.setPosixFilePermissions(dir.resolve("new.key"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(KeyFile.load(dir.resolve("new.key")).accessibleToOthers()).isTrue();
    }

    @Test
    void key_unknownId_isRefused() {
        KeyFile key = KeyFile.ofKey(new byte[32]);
        assertThatThrownBy(() -> key.key("sha256:0000")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("keyId is not the key file's key");
        assertThatThrownBy(() -> KeyFile.ofKey(new byte[16])).hasMessage("key must be 32 bytes: 16");
    }

    @Test
    void finding7_base64FileOf32Characters_isDecodedAsBase64AndRefused_notUsedAsRawKeyBytes() throws Exception {
        // openssl rand -base64 24: 32 characters that a raw-key reading would have taken as the key itself
        String text = Base64.getEncoder().encodeToString(new byte[24]).replace('A', 'k');
        assertThat(text).hasSize(32);
        Path file = dir.resolve("k32");
        Files.writeString(file, text);

        assertThatThrownBy(() -> KeyFile.load(file)).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("holds 32 base64 characters, which decode to 24 bytes")
                .hasMessageContaining("openssl rand -base64 32")
                .hasMessageContaining("base64 -w0 " + file)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(text));

        Files.writeString(file, text + "\n"); // the same with the line end an editor adds
        assertThatThrownBy(() -> KeyFile.load(file)).hasMessageContaining("decode to 24 bytes");
    }

    @Test
    void finding7_ambiguousKeyFiles_areRefusedWithTheRule() throws Exception {
        Path notBase64 = dir.resolve("words");
        Files.writeString(notBase64, "correct-horse-battery-staple-32!"); // 32 printable characters, not base64
        assertThatThrownBy(() -> KeyFile.load(notBase64)).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("32 characters of text that are not base64")
                .hasMessageContaining("44 base64 characters");

        Path hex = dir.resolve("hex");
        Files.writeString(hex, "ab".repeat(32) + "\n"); // openssl rand -hex 32
        assertThatThrownBy(() -> KeyFile.load(hex)).hasMessageContaining("hexadecimal key files are not read");

        Path binary = dir.resolve("binary");
        Files.write(binary, new byte[31]);
        assertThatThrownBy(() -> KeyFile.load(binary)).hasMessageContaining("31 bytes that are not text");
    }

    @Test
    void finding8_keyFileEncodingsAndKeyId_areThoseFormatMdDocuments() throws Exception {
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) (255 - i);
        }
        String b64 = Base64.getEncoder().encodeToString(key);
        Files.writeString(dir.resolve("padded"), "  " + b64 + "\r\n");
        Files.writeString(dir.resolve("unpadded"), b64.substring(0, 43));
        Files.write(dir.resolve("raw"), key);
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update("opskit-backup key id".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String id = "sha256:" + java.util.HexFormat.of().formatHex(java.util.Arrays.copyOf(sha.digest(key), 8));

        for (String name : new String[] {"padded", "unpadded", "raw"}) {
            KeyFile loaded = KeyFile.load(dir.resolve(name));
            assertThat(loaded.currentKeyId()).as(name).isEqualTo(id);
            assertThat(loaded.key(id)).as(name).isEqualTo(key);
        }
    }
}
