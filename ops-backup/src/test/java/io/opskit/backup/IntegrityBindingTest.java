package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opskit.backup.retention.RetentionPolicy;
import io.opskit.testsupport.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for finding 2 (manifests not authenticated, archives not bound to their backup),
 * finding 3 (a failed verification never demoted a backup) and level 3's size check (finding 7).
 */
class IntegrityBindingTest {

    @TempDir
    Path dir;

    private Path repoDir;
    private BackupRepository repository;
    private BackupManifest a;
    private BackupManifest b;
    private Path db;

    @BeforeEach
    void twoBackups() throws Exception {
        db = dir.resolve("app.db");
        TestDb.create(db, 150);
        repoDir = dir.resolve("repo");
        repository = BackupRepository.builder().directory(repoDir)
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("backup.key")))
                .source(BackupSources.sqlite("app-db", db)).build();
        a = repository.backup();
        TestDb.create(db, 2);
        b = repository.backup();
    }

    @Test
    void finding2_swappedManifest_copiedOverAnother_isRefusedByListVerifyAndRestore() throws Exception {
        Files.copy(repoDir.resolve(a.id()).resolve("manifest.json"), repoDir.resolve(b.id()).resolve("manifest.json"),
                StandardCopyOption.REPLACE_EXISTING);

        assertThat(repository.list()).extracting(BackupManifest::id).containsExactly(a.id());
        assertThat(repository.unreadable()).singleElement().satisfies(u -> {
            assertThat(u.id()).isEqualTo(b.id());
            assertThat(u.reason()).contains("manifest of backup " + a.id());
        });
        assertThatThrownBy(() -> repository.verify(b.id(), VerifyLevel.DECODE)).isInstanceOf(BackupIntegrityException.class);
        assertThatThrownBy(() -> repository.restore(b.id(), "app-db", dir.resolve("out.db").toString(), false))
                .isInstanceOf(BackupIntegrityException.class);
        assertThat(dir.resolve("out.db")).doesNotExist();
    }

    @Test
    void finding2_manifestPointingAtAnotherArchive_withItsChecksum_failsAuthentication() throws Exception {
        Path manifest = repoDir.resolve(b.id()).resolve("manifest.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(manifest.toFile());
        ObjectNode source = (ObjectNode) root.get("sources").get(0);
        source.put("object", a.sources().get(0).object());
        source.put("sha256", a.sources().get(0).sha256());
        source.put("storedBytes", a.sources().get(0).storedBytes());
        json.writeValue(manifest.toFile(), root);

        assertThat(repository.list()).extracting(BackupManifest::id).containsExactly(a.id());
        assertThat(repository.unreadable()).singleElement().satisfies(u -> assertThat(u.reason()).contains(b.id()));
    }

    @Test
    void finding2_swappedArchives_refusedByVerifyAndRestoreAtEveryLevel() throws Exception {
        Path aBin = repoDir.resolve(a.sources().get(0).object());
        Path bBin = repoDir.resolve(b.sources().get(0).object());
        Files.copy(aBin, bBin, StandardCopyOption.REPLACE_EXISTING);

        for (VerifyLevel level : VerifyLevel.values()) {
            assertThatThrownBy(() -> repository.verify(b.id(), level)).as("level %s", level)
                    .isInstanceOf(BackupIntegrityException.class);
        }
        assertThatThrownBy(() -> repository.restore(b.id(), "app-db", dir.resolve("out.db").toString(), false))
                .isInstanceOf(BackupIntegrityException.class);
        assertThat(dir.resolve("out.db")).doesNotExist();
    }

    @Test
    void finding2_archiveOfAnotherBackup_evenWithMatchingChecksum_isRefusedByItsHeaderBinding() throws Exception {
        // An attacker who can also rewrite the manifest's checksum still cannot make the header agree:
        // the header names backup a, and every segment authenticates it.
        BackupManifest forged = new BackupManifest(b.id(), b.createdAt(), b.completedAt(), b.compression(), b.keyId(),
                java.util.List.of(new BackupManifest.SourceEntry("app-db", "sqlite", b.sources().get(0).object(),
                        a.sources().get(0).snapshotBytes(), a.sources().get(0).storedBytes(), a.sources().get(0).sha256())),
                b.software(), java.util.List.of());
        Files.copy(repoDir.resolve(a.sources().get(0).object()), repoDir.resolve(b.sources().get(0).object()),
                StandardCopyOption.REPLACE_EXISTING);
        KeyFile key = KeyFile.load(dir.resolve("backup.key"));

        assertThatThrownBy(() -> {
            try (StoredArchive archive = StoredArchive.open(repository.store(), key, forged, forged.sources().get(0))) {
                archive.finish();
            }
        }).isInstanceOf(BackupIntegrityException.class).hasMessageContaining("belongs to backup " + a.id());
    }

    @Test
    void finding3_failedVerification_ofTheNewestBackup_revokesItForListRetentionAndFreshness() throws Exception {
        BackupEventsTest.flipByte(repoDir.resolve(b.sources().get(0).object()), 300);

        assertThatThrownBy(() -> repository.verify(b.id(), VerifyLevel.DECODE)).isInstanceOf(BackupIntegrityException.class);

        BackupManifest listed = repository.list().get(1);
        assertThat(listed.id()).isEqualTo(b.id());
        assertThat(listed.verified()).isEmpty();
        assertThat(listed.verifiedAtLeast(VerifyLevel.CHECKSUM)).isFalse();
        assertThat(listed.lastVerification()).hasValueSatisfying(v -> {
            assertThat(v.passed()).isFalse();
            assertThat(v.reason()).contains("wrong key or corrupted");
        });
        assertThat(repository.newestVerifiedBackupTime()).contains(a.createdAt());
        var plan = repository.planRetention(RetentionPolicy.builder().keepLast(1).build(), true);
        assertThat(plan.toKeep()).extracting(r -> r.id()).contains(a.id());
        assertThat(repository.freshnessCheck(Duration.ofDays(3650)).check().details())
                .containsEntry("newestVerified", a.createdAt().toString());
    }

    @Test
    void finding3_verificationTruth_corruptNewest_pruneKeepsTheIntactBackups_freshnessCountsOnlyThem_andAnEventIsPublished()
            throws Exception {
        FakeClock clock = FakeClock.at("2026-11-01T02:00:00Z");
        java.util.List<io.opskit.api.notify.OpsEvent> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        BackupRepository daily = BackupRepository.builder().directory(dir.resolve("daily"))
                .keyProvider(KeyFile.load(dir.resolve("backup.key"))).clock(clock).notifier(heard::add)
                .source(BackupSources.sqlite("app-db", db)).build();
        java.util.List<BackupManifest> made = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            made.add(daily.backup());
            clock.advance(Duration.ofDays(1));
        }
        BackupManifest newest = made.get(3);
        BackupEventsTest.flipByte(dir.resolve("daily").resolve(newest.sources().get(0).object()), 300);
        heard.clear();

        assertThatThrownBy(() -> daily.verify(newest.id(), VerifyLevel.CHECKSUM)).isInstanceOf(BackupIntegrityException.class);

        assertThat(heard).extracting(io.opskit.api.notify.OpsEvent::type).containsExactly("backup.verify_failed");
        assertThat(daily.list()).filteredOn(m -> m.id().equals(newest.id())).singleElement()
                .satisfies(m -> assertThat(m.verified()).isEmpty());
        // Freshness: the corrupt backup (1 day old) does not count; the intact one before it is 2 days old.
        assertThat(daily.freshnessCheck(Duration.ofHours(36)).check().status())
                .isEqualTo(io.opskit.api.health.HealthStatus.DOWN);
        assertThat(daily.freshnessCheck(Duration.ofHours(60)).check().status())
                .isEqualTo(io.opskit.api.health.HealthStatus.UP);
        // Retention: keep-last 1 keeps the newest backup by count and the newest verified one by rule.
        var plan = daily.prune(RetentionPolicy.builder().keepLast(1).build(), true);
        assertThat(plan.toKeep()).extracting(r -> r.id()).contains(made.get(2).id());
        assertThat(daily.list()).extracting(BackupManifest::id).contains(made.get(2).id());
        daily.verify(made.get(2).id(), VerifyLevel.TEST_RESTORE);
    }

    @Test
    void finding3_verificationsAtTheSameInstant_theLaterOneDecides() throws Exception {
        FakeClock clock = FakeClock.at("2026-11-21T02:00:00Z");
        Path db2 = dir.resolve("fixed.db");
        TestDb.create(db2, 40);
        BackupRepository fixed = BackupRepository.builder().directory(dir.resolve("fixed-repo"))
                .keyProvider(KeyFile.load(dir.resolve("backup.key"))).clock(clock)
                .source(BackupSources.sqlite("app-db", db2)).build();
        BackupManifest made = fixed.backup();
        Path bin = dir.resolve("fixed-repo").resolve(made.sources().get(0).object());

        for (int round = 0; round < 4; round++) {
            BackupEventsTest.flipByte(bin, 300);
            assertThatThrownBy(() -> fixed.verify(made.id(), VerifyLevel.DECODE)).isInstanceOf(BackupIntegrityException.class);
            assertThat(fixed.manifest(made.id()).verified()).as("round %d after the failure", round).isEmpty();
            BackupEventsTest.flipByte(bin, 300); // repaired
            fixed.verify(made.id(), VerifyLevel.DECODE);
            assertThat(fixed.manifest(made.id()).verifiedAtLeast(VerifyLevel.DECODE)).as("round %d after the pass", round).isTrue();
        }
    }

    @Test
    void finding2_manifestLoweredToVersion1_isNotBelievedAboutItsVerification() throws Exception {
        // Lowering formatVersion to 1 skips the MAC; the manifest may then claim anything about itself.
        BackupEventsTest.flipByte(repoDir.resolve(b.sources().get(0).object()), 300);
        Path manifest = repoDir.resolve(b.id()).resolve("manifest.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(manifest.toFile());
        root.put("formatVersion", 1);
        ((ObjectNode) root.get("verification")).put("level", 3).put("verifiedAt", "2286-01-01T00:00:00Z").put("ok", true);
        json.writeValue(manifest.toFile(), root);

        BackupManifest listed = repository.manifest(b.id());
        assertThat(listed.verified()).isEmpty();
        assertThat(repository.newestVerifiedBackupTime()).contains(a.createdAt());
        assertThat(repository.planRetention(RetentionPolicy.builder().keepLast(1).build(), true).toDelete())
                .extracting(r -> r.id()).doesNotContain(a.id());
        assertThatThrownBy(() -> repository.verify(b.id(), VerifyLevel.DECODE)).isInstanceOf(BackupIntegrityException.class);
    }

    @Test
    void finding7_levelThree_checksTheDeclaredSnapshotSize() throws Exception {
        // An unauthenticated (version-1) manifest declaring a snapshot of 2^62 bytes must not pass level 3.
        Path manifest = repoDir.resolve(b.id()).resolve("manifest.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(manifest.toFile());
        root.put("formatVersion", 1);
        ((ObjectNode) root.get("sources").get(0)).put("snapshotBytes", 1L << 62);
        json.writeValue(manifest.toFile(), root);

        assertThatThrownBy(() -> repository.verify(b.id(), VerifyLevel.TEST_RESTORE))
                .isInstanceOf(BackupIntegrityException.class).hasMessageContaining(String.valueOf(1L << 62));
        assertThat(repository.manifest(b.id()).lastVerification()).hasValueSatisfying(v -> {
            assertThat(v.passed()).isFalse();
            assertThat(v.level()).isEqualTo(VerifyLevel.TEST_RESTORE);
        });
    }

    @Test
    void finding3_unauthenticatedVersion1Record_cannotReviveAFailedBackup() throws Exception {
        BackupEventsTest.flipByte(repoDir.resolve(b.sources().get(0).object()), 300);
        assertThatThrownBy(() -> repository.verify(b.id(), VerifyLevel.DECODE)).isInstanceOf(BackupIntegrityException.class);
        Files.writeString(repoDir.resolve(b.id()).resolve("verification-9999999999999-L3-abcd.json"),
                "{\"format\":\"opskit-backup-verification\",\"formatVersion\":1,"
                        + "\"level\":3,\"verifiedAt\":\"2286-01-01T00:00:00Z\",\"ok\":true}");

        assertThat(repository.manifest(b.id()).verified()).isEmpty();
        assertThat(repository.newestVerifiedBackupTime()).contains(a.createdAt());
    }

    @Test
    void finding3_forgedPassingVerificationRecord_isIgnored() throws Exception {
        BackupEventsTest.flipByte(repoDir.resolve(b.sources().get(0).object()), 300);
        assertThatThrownBy(() -> repository.verify(b.id(), VerifyLevel.DECODE)).isInstanceOf(BackupIntegrityException.class);
        Files.writeString(repoDir.resolve(b.id()).resolve("verification-9999999999999-L3-abcd.json"),
                "{\"format\":\"opskit-backup-verification\",\"formatVersion\":2,\"backupId\":\"" + b.id()
                        + "\",\"level\":3,\"verifiedAt\":\"2286-01-01T00:00:00Z\",\"ok\":true,\"mac\":{\"value\":\"00\"}}");

        assertThat(repository.manifest(b.id()).verified()).isEmpty();
    }
}
