package io.opskit.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opskit.backup.internal.SegmentedAead;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes manifest and verification-record JSON in the layout FORMAT.md documents. Written
 * field by field (no data binding) so the on-disk format cannot drift with a refactoring.
 *
 * <p>Since format 2 both are authenticated: an HMAC-SHA256, under a key derived from the repository
 * key, over a canonical text of their fields (FORMAT.md, "Manifest authentication"), which names the
 * backup id, so a manifest or record copied under another backup is refused.
 */
final class ManifestJson {

    static final String MANIFEST_FORMAT = "opskit-backup-manifest";
    static final String VERIFICATION_FORMAT = "opskit-backup-verification";
    static final int FORMAT_VERSION = 2;
    static final int LEGACY_VERSION = 1;

    private static final byte[] MAC_SALT = "opskit-backup manifest".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAC_INFO = "opskit-backup v2 manifest hmac-sha256 key".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ManifestJson() {
    }

    /** Something a manifest or record cannot be accepted for; the message says why. */
    static final class Unreadable extends IOException {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message);
        }
    }

    /** The manifest-authentication key for a 32-byte repository key (HKDF-SHA256, one block). */
    static byte[] macKey(byte[] masterKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(MAC_SALT, "HmacSHA256"));
            byte[] prk = mac.doFinal(masterKey);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            mac.update(MAC_INFO);
            mac.update((byte) 1);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    static String hmac(byte[] macKey, String canonical) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    /** The canonical text a manifest's MAC covers (FORMAT.md). */
    static String canonical(BackupManifest m, String codec, int level, int segmentBytes, int archiveVersion,
                            BackupManifest.@Nullable Verification initial) {
        StringBuilder b = new StringBuilder();
        line(b, MANIFEST_FORMAT);
        line(b, String.valueOf(FORMAT_VERSION));
        line(b, m.id());
        line(b, m.createdAt().toString());
        line(b, m.completedAt().toString());
        line(b, codec);
        line(b, String.valueOf(level));
        line(b, m.keyId());
        line(b, String.valueOf(segmentBytes));
        line(b, String.valueOf(archiveVersion));
        line(b, String.valueOf(m.sources().size()));
        for (BackupManifest.SourceEntry s : m.sources()) {
            line(b, s.name());
            line(b, s.kind());
            line(b, s.object());
            line(b, String.valueOf(s.snapshotBytes()));
            line(b, String.valueOf(s.storedBytes()));
            line(b, s.sha256());
        }
        if (initial == null) {
            line(b, "-");
        } else {
            line(b, String.valueOf(initial.level().number()));
            line(b, initial.verifiedAt().toString());
            line(b, String.valueOf(initial.passed()));
        }
        return b.toString();
    }

    /** The canonical text a verification record's MAC covers (FORMAT.md). */
    static String canonical(String backupId, BackupManifest.Verification v) {
        StringBuilder b = new StringBuilder();
        line(b, VERIFICATION_FORMAT);
        line(b, String.valueOf(FORMAT_VERSION));
        line(b, backupId);
        line(b, String.valueOf(v.level().number()));
        line(b, v.verifiedAt().toString());
        line(b, String.valueOf(v.passed()));
        line(b, v.reason());
        return b.toString();
    }

    private static void line(StringBuilder b, String value) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a manifest field must be one line: " + value);
        }
        b.append(value).append('\n');
    }

    static byte[] write(BackupManifest m, Compression compression, byte[] macKey) throws IOException {
        BackupManifest.Verification initial = m.verifications().isEmpty() ? null : m.verifications().get(0);
        ObjectNode root = JSON.createObjectNode();
        root.put("format", MANIFEST_FORMAT);
        root.put("formatVersion", FORMAT_VERSION);
        root.put("id", m.id());
        root.put("createdAt", m.createdAt().toString());
        root.put("completedAt", m.completedAt().toString());
        ObjectNode codec = root.putObject("compression");
        codec.put("codec", compression.codec());
        codec.put("level", compression.level());
        ObjectNode encryption = root.putObject("encryption");
        encryption.put("scheme", "AES-256-GCM, segmented, HKDF-SHA256 per-archive key");
        encryption.put("archiveFormatVersion", SegmentedAead.FORMAT_VERSION);
        encryption.put("segmentBytes", SegmentedAead.DEFAULT_SEGMENT_SIZE);
        encryption.put("keyId", m.keyId());
        ArrayNode sources = root.putArray("sources");
        for (BackupManifest.SourceEntry s : m.sources()) {
            ObjectNode node = sources.addObject();
            node.put("name", s.name());
            node.put("kind", s.kind());
            node.put("object", s.object());
            node.put("snapshotBytes", s.snapshotBytes());
            node.put("storedBytes", s.storedBytes());
            node.put("sha256", s.sha256());
        }
        ObjectNode software = root.putObject("software");
        m.software().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> software.put(e.getKey(), e.getValue()));
        if (initial != null) {
            ObjectNode v = root.putObject("verification");
            v.put("level", initial.level().number());
            v.put("verifiedAt", initial.verifiedAt().toString());
            v.put("ok", initial.passed());
        } else {
            root.putNull("verification");
        }
        ObjectNode mac = root.putObject("mac");
        mac.put("algorithm", "HMAC-SHA256");
        mac.put("value", hmac(macKey, canonical(m, compression.codec(), compression.level(),
                SegmentedAead.DEFAULT_SEGMENT_SIZE, SegmentedAead.FORMAT_VERSION, initial)));
        return JSON.writeValueAsBytes(root);
    }

    /** The key id a manifest names, read without authenticating it (to find the key that does). */
    static String keyIdOf(byte[] bytes) throws IOException {
        try {
            return JSON.readTree(bytes).path("encryption").path("keyId").asText();
        } catch (IOException | RuntimeException e) {
            throw new Unreadable("not JSON: " + BackupRepository.oneLine(e));
        }
    }

    /**
     * Reads a manifest stored under {@code expectedId}, authenticating it with {@code macKey} when
     * given (without a key only its structure and id are checked).
     *
     * @throws Unreadable when it is not a manifest, is for another backup, or fails authentication
     */
    static BackupManifest read(byte[] bytes, String expectedId, byte @Nullable [] macKey) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException | RuntimeException e) {
            throw new Unreadable("not JSON: " + BackupRepository.oneLine(e));
        }
        try {
            return parse(root, expectedId, macKey);
        } catch (RuntimeException e) {
            throw new Unreadable("malformed: " + BackupRepository.oneLine(e));
        }
    }

    private static BackupManifest parse(JsonNode root, String expectedId, byte @Nullable [] macKey) throws IOException {
        if (root == null || !MANIFEST_FORMAT.equals(root.path("format").asText())) {
            throw new Unreadable("not an Opskit backup manifest");
        }
        int version = root.path("formatVersion").asInt();
        if (version != FORMAT_VERSION && version != LEGACY_VERSION) {
            throw new Unreadable("unsupported manifest format version " + version);
        }
        String id = text(root, "id");
        if (!id.equals(expectedId)) {
            throw new Unreadable("it is the manifest of backup " + id + ", stored under " + expectedId);
        }
        List<BackupManifest.SourceEntry> sources = new ArrayList<>();
        for (JsonNode s : root.path("sources")) {
            BackupManifest.SourceEntry entry = new BackupManifest.SourceEntry(text(s, "name"), text(s, "kind"),
                    text(s, "object"), number(s, "snapshotBytes"), number(s, "storedBytes"), text(s, "sha256"));
            if (!entry.object().startsWith(expectedId + "/")) {
                throw new Unreadable("source " + entry.name() + " points at " + entry.object() + ", outside backup " + expectedId);
            }
            sources.add(entry);
        }
        if (sources.isEmpty()) {
            throw new Unreadable("it lists no source");
        }
        Map<String, String> software = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.path("software").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            software.put(e.getKey(), e.getValue().asText());
        }
        JsonNode codecNode = root.path("compression");
        String codec = text(codecNode, "codec");
        int level = (int) number(codecNode, "level");
        String compression = "none".equals(codec) ? "none" : codec + ":" + level;
        JsonNode encryption = root.path("encryption");
        String keyId = text(encryption, "keyId");
        List<BackupManifest.Verification> verifications = new ArrayList<>();
        JsonNode v = root.path("verification");
        BackupManifest.Verification initial = null;
        if (v.isObject()) {
            initial = new BackupManifest.Verification(VerifyLevel.of((int) number(v, "level")),
                    Instant.parse(text(v, "verifiedAt")), v.path("ok").asBoolean(false), "");
            // A version-1 manifest carries no MAC: with a key at hand, what it claims about its own
            // verification is not believed (anyone could write it, or lower formatVersion to 1 to
            // skip the MAC); the backup counts once a version-2 record says it passed.
            if (version >= 2 || macKey == null) {
                verifications.add(initial);
            }
        }
        BackupManifest m = new BackupManifest(id, Instant.parse(text(root, "createdAt")),
                Instant.parse(text(root, "completedAt")), compression, keyId, sources, software, verifications);
        if (version >= 2 && macKey != null) {
            String expected = hmac(macKey, canonical(m, codec, level, (int) number(encryption, "segmentBytes"),
                    (int) number(encryption, "archiveFormatVersion"), initial));
            String given = root.path("mac").path("value").asText("");
            if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII))) {
                throw new Unreadable("it fails authentication (edited, or made with another key)");
            }
        }
        return m;
    }

    private static String text(JsonNode node, String field) throws Unreadable {
        JsonNode n = node.get(field);
        if (n == null || !n.isTextual()) {
            throw new Unreadable("field " + field + " is missing or not text");
        }
        return n.asText();
    }

    private static long number(JsonNode node, String field) throws Unreadable {
        JsonNode n = node.get(field);
        if (n == null || !n.canConvertToLong() || !n.isIntegralNumber()) {
            throw new Unreadable("field " + field + " is missing or not a whole number");
        }
        return n.asLong();
    }

    static String codecName(String compression) {
        int colon = compression.indexOf(':');
        return colon < 0 ? compression : compression.substring(0, colon);
    }

    static byte[] writeVerification(String backupId, BackupManifest.Verification v, byte @Nullable [] macKey) throws IOException {
        ObjectNode node = JSON.createObjectNode();
        node.put("format", VERIFICATION_FORMAT);
        node.put("formatVersion", FORMAT_VERSION);
        node.put("backupId", backupId);
        node.put("level", v.level().number());
        node.put("verifiedAt", v.verifiedAt().toString());
        node.put("ok", v.passed());
        if (!v.passed()) {
            node.put("reason", v.reason());
        }
        if (macKey != null) {
            ObjectNode mac = node.putObject("mac");
            mac.put("algorithm", "HMAC-SHA256");
            mac.put("value", hmac(macKey, canonical(backupId, v)));
        }
        return JSON.writeValueAsBytes(node);
    }

    /**
     * A recorded verification of {@code backupId}.
     *
     * @throws Unreadable when it is unreadable, for another backup, or fails authentication (with a key)
     */
    static BackupManifest.Verification readVerification(byte[] bytes, String backupId, byte @Nullable [] macKey)
            throws Unreadable {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !VERIFICATION_FORMAT.equals(node.path("format").asText())) {
                throw new Unreadable("not a verification record");
            }
            int version = node.path("formatVersion").asInt();
            boolean ok = node.path("ok").asBoolean(false);
            BackupManifest.Verification v = new BackupManifest.Verification(VerifyLevel.of((int) number(node, "level")),
                    Instant.parse(text(node, "verifiedAt")), ok, ok ? "" : node.path("reason").asText("").replaceAll("\\R", " "));
            if (version >= 2) {
                if (!backupId.equals(text(node, "backupId"))) {
                    throw new Unreadable("it records a verification of backup " + node.path("backupId").asText());
                }
                if (macKey != null) {
                    String expected = hmac(macKey, canonical(backupId, v));
                    String given = node.path("mac").path("value").asText("");
                    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                            given.getBytes(StandardCharsets.US_ASCII))) {
                        throw new Unreadable("it fails authentication");
                    }
                }
            } else if (version != LEGACY_VERSION) {
                throw new Unreadable("unsupported verification format version " + version);
            } else if (macKey != null) {
                // Version 1 has no MAC and names no backup: believing it would let anyone revive a
                // backup whose verification failed.
                throw new Unreadable("a version-1 record is not authenticated; verify the backup again");
            }
            return v;
        } catch (Unreadable e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new Unreadable("malformed: " + BackupRepository.oneLine(e));
        }
    }
}
