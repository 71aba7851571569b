package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 2, as a second implementation would meet it: the manifest's MAC, a verification record's
 * MAC and the archive header's binding, recomputed from FORMAT.md ("Manifest authentication",
 * "Verification records", "Encrypted archive") with the JDK alone and no Opskit code.
 */
class ManifestAuthenticationDocumentTest {

    private static final byte[] MASTER = new byte[32];
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        new Random(11).nextBytes(MASTER);
    }

    @TempDir
    Path dir;

    /** macKey = HKDF-SHA256(ikm = key, salt = "opskit-backup manifest", info = "opskit-backup v2 manifest hmac-sha256 key"). */
    private static byte[] macKeyFromTheDocument() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("opskit-backup manifest".getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
        byte[] prk = mac.doFinal(MASTER);
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        mac.update("opskit-backup v2 manifest hmac-sha256 key".getBytes(StandardCharsets.US_ASCII));
        return mac.doFinal(new byte[] {1});
    }

    private static String hmacHex(String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(macKeyFromTheDocument(), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String manifestText(JsonNode m) {
        StringBuilder b = new StringBuilder();
        JsonNode enc = m.get("encryption");
        for (String line : new String[] {"opskit-backup-manifest", "2", m.get("id").asText(), m.get("createdAt").asText(),
                m.get("completedAt").asText(), m.get("compression").get("codec").asText(),
                m.get("compression").get("level").asText(), enc.get("keyId").asText(), enc.get("segmentBytes").asText(),
                enc.get("archiveFormatVersion").asText(), String.valueOf(m.get("sources").size())}) {
            b.append(line).append('\n');
        }
        for (JsonNode s : m.get("sources")) {
            for (String f : new String[] {"name", "kind", "object", "snapshotBytes", "storedBytes", "sha256"}) {
                b.append(s.get(f).asText()).append('\n');
            }
        }
        JsonNode v = m.get("verification");
        if (v == null || v.isNull()) {
            b.append("-\n");
        } else {
            b.append(v.get("level").asText()).append('\n').append(v.get("verifiedAt").asText()).append('\n')
                    .append(v.get("ok").asBoolean() ? "true" : "false").append('\n');
        }
        return b.toString();
    }

    private static String shortString(DataInputStream in) throws Exception {
        byte[] b = new byte[in.readUnsignedByte()];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void finding2_manifestMacRecordMacAndHeaderBinding_followTheDocument() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 50);
        Path repoDir = dir.resolve("repo");
        BackupRepository repository = BackupRepository.builder().directory(repoDir).keyProvider(KeyFile.ofKey(MASTER.clone()))
                .source(BackupSources.sqlite("app-db", db)).build();
        BackupManifest made = repository.backup();

        JsonNode manifest = JSON.readTree(repoDir.resolve(made.id()).resolve("manifest.json").toFile());
        assertThat(manifest.get("formatVersion").asInt()).isEqualTo(2);
        assertThat(manifest.get("mac").get("algorithm").asText()).isEqualTo("HMAC-SHA256");
        assertThat(manifest.get("mac").get("value").asText()).isEqualTo(hmacHex(manifestText(manifest)));

        // The archive header names the backup id, source name and kind (version 2).
        try (InputStream raw = Files.newInputStream(repoDir.resolve(made.sources().get(0).object()));
             DataInputStream in = new DataInputStream(raw)) {
            byte[] magic = new byte[8];
            in.readFully(magic);
            assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("OPSKBAK1");
            assertThat(in.readUnsignedByte()).isEqualTo(2);
            assertThat(in.readInt()).isEqualTo(manifest.get("encryption").get("segmentBytes").asInt());
            in.readFully(new byte[32 + 7]); // salt, nonce prefix
            assertThat(shortString(in)).isEqualTo(manifest.get("encryption").get("keyId").asText());
            assertThat(shortString(in)).isEqualTo(made.id());
            assertThat(shortString(in)).isEqualTo("app-db");
            assertThat(shortString(in)).isEqualTo("sqlite");
        }

        // A failed verification's record, with its reason line.
        BackupEventsTest.flipByte(repoDir.resolve(made.sources().get(0).object()), 200);
        assertThatThrownBy(() -> repository.verify(made.id(), VerifyLevel.CHECKSUM)).isInstanceOf(BackupIntegrityException.class);
        Path record;
        try (Stream<Path> files = Files.list(repoDir.resolve(made.id()))) {
            record = files.filter(p -> p.getFileName().toString().matches("verification-\\d{13}-L1-[0-9a-f]{4}\\.json"))
                    .findFirst().orElseThrow();
        }
        JsonNode r = JSON.readTree(record.toFile());
        String text = "opskit-backup-verification\n2\n" + r.get("backupId").asText() + "\n" + r.get("level").asText() + "\n"
                + r.get("verifiedAt").asText() + "\nfalse\n" + r.get("reason").asText() + "\n";
        assertThat(r.get("backupId").asText()).isEqualTo(made.id());
        assertThat(r.get("ok").asBoolean()).isFalse();
        assertThat(r.get("mac").get("value").asText()).isEqualTo(hmacHex(text));
    }
}
