package io.opskit.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opskit.backup.internal.SegmentedAead;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes manifest and verification-record JSON in the layout FORMAT.md documents. Written
 * field by field (no data binding) so the on-disk format cannot drift with a refactoring.
 */
final class ManifestJson {

    static final String MANIFEST_FORMAT = "opskit-backup-manifest";
    static final String VERIFICATION_FORMAT = "opskit-backup-verification";
    static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ManifestJson() {
    }

    static ObjectMapper mapper() {
        return JSON;
    }

    static byte[] write(BackupManifest m, Compression compression) throws IOException {
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
        if (m.verification() != null) {
            root.set("verification", verification(m.verification(), true, null));
        } else {
            root.putNull("verification");
        }
        return JSON.writeValueAsBytes(root);
    }

    static BackupManifest read(byte[] bytes) throws IOException {
        JsonNode root = JSON.readTree(bytes);
        if (!MANIFEST_FORMAT.equals(root.path("format").asText())) {
            throw new IOException("not an Opskit backup manifest");
        }
        int version = root.path("formatVersion").asInt();
        if (version != FORMAT_VERSION) {
            throw new IOException("unsupported manifest format version " + version);
        }
        List<BackupManifest.SourceEntry> sources = new ArrayList<>();
        for (JsonNode s : root.path("sources")) {
            sources.add(new BackupManifest.SourceEntry(s.path("name").asText(), s.path("kind").asText(),
                    s.path("object").asText(), s.path("snapshotBytes").asLong(), s.path("storedBytes").asLong(),
                    s.path("sha256").asText()));
        }
        Map<String, String> software = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.path("software").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            software.put(e.getKey(), e.getValue().asText());
        }
        JsonNode codec = root.path("compression");
        String compression = "none".equals(codec.path("codec").asText()) ? "none"
                : codec.path("codec").asText() + ":" + codec.path("level").asInt();
        BackupManifest.Verification verification = null;
        JsonNode v = root.path("verification");
        if (v.isObject() && v.path("ok").asBoolean(true)) {
            verification = new BackupManifest.Verification(VerifyLevel.of(v.path("level").asInt()),
                    Instant.parse(v.path("verifiedAt").asText()));
        }
        return new BackupManifest(root.path("id").asText(), Instant.parse(root.path("createdAt").asText()),
                Instant.parse(root.path("completedAt").asText()), compression,
                root.path("encryption").path("keyId").asText(), sources, software, verification);
    }

    static String codecName(String compression) {
        int colon = compression.indexOf(':');
        return colon < 0 ? compression : compression.substring(0, colon);
    }

    static ObjectNode verification(BackupManifest.Verification v, boolean ok, @org.jspecify.annotations.Nullable String reason) {
        ObjectNode node = JSON.createObjectNode();
        node.put("format", VERIFICATION_FORMAT);
        node.put("formatVersion", FORMAT_VERSION);
        node.put("level", v.level().number());
        node.put("verifiedAt", v.verifiedAt().toString());
        node.put("ok", ok);
        if (reason != null) {
            node.put("reason", reason);
        }
        return node;
    }

    /** A recorded verification, or null when the record failed or is unreadable. */
    static BackupManifest.@org.jspecify.annotations.Nullable Verification readVerification(byte[] bytes) {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (!node.path("ok").asBoolean(false)) {
                return null;
            }
            return new BackupManifest.Verification(VerifyLevel.of(node.path("level").asInt()),
                    Instant.parse(node.path("verifiedAt").asText()));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
