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
                .hasMessage("key file " + dir.resolve("short") + " must hold 32 bytes, raw or base64");
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
}
