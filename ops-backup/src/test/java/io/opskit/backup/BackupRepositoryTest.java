package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.backup.internal.SqliteSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupRepositoryTest {

    @TempDir
    Path dir;

    private BackupRepository.Builder repo(Path db) {
        return BackupRepository.builder()
                .directory(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("backup.key")))
                .source(BackupSources.sqlite("app-db", db));
    }

    @Test
    void backup_sqlite_restoresSameRowsAndPassesIntegrityCheck() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 2000);
        BackupRepository repository = repo(db).build();

        BackupManifest made = repository.backup();

        assertThat(made.verifiedAtLeast(VerifyLevel.DECODE)).isTrue();
        assertThat(made.sources()).singleElement().satisfies(s -> {
            assertThat(s.kind()).isEqualTo("sqlite");
            assertThat(s.sha256()).hasSize(64);
            assertThat(s.storedBytes()).isLessThan(s.snapshotBytes());
        });
        assertThat(repository.list()).extracting(BackupManifest::id).containsExactly(made.id());
        Path restored = dir.resolve("restored.db");
        repository.restore(made.id(), restored.toString(), false);
        assertThat(TestDb.count(restored)).isEqualTo(2000);
        assertThat(SqliteSource.integrityCheck(restored)).isEqualTo("ok");
        assertThat(Files.list(dir.resolve("repo").resolve(".tmp"))).isEmpty();
    }

    @Test
    void restore_withProgress_reportsEverySnapshotByteOutOfTheRecordedSize() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 3000);
        BackupRepository repository = repo(db).build();
        BackupManifest made = repository.backup();
        long snapshotBytes = made.sources().get(0).snapshotBytes();
        List<long[]> updates = new java.util.concurrent.CopyOnWriteArrayList<>();

        repository.restore(made.id(), repository.onlySourceName(made.id()), dir.resolve("restored.db").toString(),
                false, (done, total, rate) -> updates.add(new long[] {done, total}));

        assertThat(updates).isNotEmpty();
        long[] last = updates.get(updates.size() - 1);
        assertThat(last[0]).isEqualTo(snapshotBytes);
        assertThat(last[1]).isEqualTo(snapshotBytes);
        assertThat(updates).extracting(u -> u[0]).isSorted();
        assertThat(TestDb.count(dir.resolve("restored.db"))).isEqualTo(3000);
    }

    @Test
    void backup_everyCodec_roundTrips() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 500);
        for (Compression c : List.of(Compression.gzip(1), Compression.gzip(), Compression.zstd(), Compression.none())) {
            BackupRepository repository = repo(db).compression(c).build();
            BackupManifest made = repository.backup();
            assertThat(made.compression()).isEqualTo(c.toString());
            Path restored = dir.resolve("restored-" + c.codec() + c.level() + ".db");
            repository.restore(made.id(), restored.toString(), false);
            assertThat(TestDb.count(restored)).isEqualTo(500);
        }
    }

    @Test
    void restore_existingTargetWithoutForce_isRefusedAndUntouched() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 10);
        BackupRepository repository = repo(db).build();
        BackupManifest made = repository.backup();
        byte[] before = Files.readAllBytes(db);

        assertThatThrownBy(() -> repository.restore(made.id(), db.toString(), false))
                .isInstanceOf(RestoreRefusedException.class)
                .hasMessageContaining("exists").hasMessageContaining("force");
        assertThat(Files.readAllBytes(db)).isEqualTo(before);
    }

    @Test
    void restore_forcedOverExisting_keepsPreviousAsideAndRemovesStaleWal() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 10);
        BackupRepository repository = repo(db).build();
        BackupManifest made = repository.backup();
        TestDb.create(db, 5); // now 15 rows
        Files.write(dir.resolve("app.db-wal"), new byte[] {1, 2, 3});

        repository.restore(made.id(), db.toString(), true);

        assertThat(TestDb.count(db)).isEqualTo(10);
        assertThat(dir.resolve("app.db-wal")).doesNotExist();
        try (var files = Files.list(dir)) {
            List<Path> aside = files.filter(p -> p.getFileName().toString().startsWith("app.db.before-restore-")
                    && !p.getFileName().toString().endsWith("-wal")).toList();
            assertThat(aside).hasSize(1);
            assertThat(TestDb.count(aside.get(0))).isEqualTo(15);
        }
    }

    @Test
    void restore_wrongKey_saysWrongKeyOrCorruptedArchive() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 10);
        BackupManifest made = repo(db).build().backup();
        BackupRepository other = BackupRepository.builder().directory(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("other.key"))).build();

        assertThatThrownBy(() -> other.restore(made.id(), dir.resolve("x.db").toString(), false))
                .isInstanceOf(BackupIntegrityException.class)
                .hasMessageStartingWith("wrong key or corrupted archive")
                .hasMessageNotContaining("Exception");
        assertThatThrownBy(() -> other.verify(made.id(), VerifyLevel.DECODE))
                .hasMessageStartingWith("wrong key or corrupted archive");
        assertThat(dir.resolve("x.db")).doesNotExist();
    }

    @Test
    void verify_eachLevel_recordsBestVerification() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 100);
        BackupRepository repository = repo(db).verifyAfterBackup(false).build();
        BackupManifest made = repository.backup();
        assertThat(made.verified()).isEmpty();
        assertThat(repository.newestVerifiedBackupTime()).isEmpty();

        assertThat(repository.verify(made.id(), VerifyLevel.CHECKSUM).verified().orElseThrow().level()).isEqualTo(VerifyLevel.CHECKSUM);
        assertThat(repository.newestVerifiedBackupTime()).isEmpty();
        assertThat(repository.verify(made.id(), VerifyLevel.TEST_RESTORE).verified().orElseThrow().level())
                .isEqualTo(VerifyLevel.TEST_RESTORE);
        assertThat(repository.manifest(made.id()).verified().orElseThrow().level()).isEqualTo(VerifyLevel.TEST_RESTORE);
        assertThat(repository.newestVerifiedBackupTime()).contains(made.createdAt());
    }

    @Test
    void backup_files_keepsPathsModesAndTimes() throws Exception {
        Path config = dir.resolve("config");
        Files.createDirectories(config.resolve("nested"));
        Files.writeString(config.resolve("app.properties"), "a=1\n");
        Files.writeString(config.resolve("nested/secret.txt"), "s");
        Files.writeString(config.resolve("skip.log"), "noise");
        Files.setPosixFilePermissions(config.resolve("nested/secret.txt"), PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(config.resolve("app.properties"), FileTime.fromMillis(1_600_000_000_000L));
        BackupRepository repository = BackupRepository.builder().directory(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("backup.key")))
                .source(BackupSources.files("config", config, List.of(), List.of("*.log")))
                .verifyLevel(VerifyLevel.TEST_RESTORE).build();

        BackupManifest made = repository.backup();
        Path out = dir.resolve("out");
        repository.restore(made.id(), out.toString(), false);

        assertThat(out.resolve("app.properties")).hasContent("a=1");
        assertThat(out.resolve("nested/secret.txt")).hasContent("s");
        assertThat(out.resolve("skip.log")).doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("nested/secret.txt"))))
                .isEqualTo("rw-------");
        assertThat(Files.getLastModifiedTime(out.resolve("app.properties")).toMillis()).isEqualTo(1_600_000_000_000L);
        assertThatThrownBy(() -> repository.restore(made.id(), out.toString(), false))
                .isInstanceOf(RestoreRefusedException.class).hasMessageContaining("not empty");
    }

    @Test
    void backup_withRegistryAndProgress_recordsMetersAndReportsBytes() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 3000);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<long[]> updates = new ArrayList<>();
        BackupRepository repository = repo(db).meterRegistry(registry).name("app").build();

        BackupManifest made = repository.backup((done, total, rate) -> updates.add(new long[] {done, total}));

        assertThat(updates).isNotEmpty();
        long[] last = updates.get(updates.size() - 1);
        assertThat(last[0]).isEqualTo(made.snapshotBytes());
        assertThat(last[1]).isEqualTo(Files.size(db));
        assertThat(registry.get("opskit.backup.duration").tag("outcome", "success").timer().count()).isEqualTo(1);
        assertThat(registry.get("opskit.backup.size").summary().totalAmount()).isEqualTo(made.storedBytes());
        assertThat(registry.get("opskit.backup.last.success.timestamp").gauge().value()).isPositive();
        assertThat(registry.get("opskit.backup.last.verified.timestamp").gauge().value()).isPositive();

        repository.verify(made.id(), VerifyLevel.TEST_RESTORE);
        assertThat(registry.get("opskit.backup.restore.drill.duration").timer().count()).isEqualTo(1);
        Files.delete(db);
        assertThatThrownBy(repository::backup).isInstanceOf(BackupFailedException.class).hasMessageContaining("does not exist");
        assertThat(registry.get("opskit.backup.failures").tag("reason", "source").counter().count()).isEqualTo(1);
    }

    @Test
    void backup_missingSource_failsWithOneLineAndLeavesNothing() throws Exception {
        BackupRepository repository = repo(dir.resolve("missing.db")).build();

        assertThatThrownBy(repository::backup).isInstanceOf(BackupFailedException.class)
                .hasMessageContaining("app-db").hasMessageContaining("does not exist")
                .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
        assertThat(repository.list()).isEmpty();
        assertThat(repository.store().list("")).isEmpty();
    }

    @Test
    void builder_badValues_nameFieldAndValue() {
        assertThatThrownBy(() -> BackupRepository.builder().lockLease(java.time.Duration.ZERO))
                .hasMessage("lockLease must be at least 1 second: PT0S");
        assertThatThrownBy(() -> BackupRepository.builder().compressionWorkers(-1))
                .hasMessage("compressionWorkers must be between 0 and 64: -1");
        assertThatThrownBy(() -> BackupSources.sqlite("bad name", dir))
                .hasMessage("source name must be 1-64 of [A-Za-z0-9._-]: bad name");
        assertThatThrownBy(() -> BackupRepository.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("store is required");
        assertThatThrownBy(() -> BackupRepository.builder().directory(dir).source(BackupSources.sqlite("a", dir)).build().backup())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("keyProvider is required");
        assertThatThrownBy(() -> Compression.parse("gzip:12")).hasMessage("gzip level must be between 1 and 9: 12");
        assertThatThrownBy(() -> Compression.parse("lz4")).hasMessage("compression must be zstd, gzip:LEVEL or none: lz4");
        assertThatThrownBy(() -> VerifyLevel.of(4)).hasMessage("verify level must be 1, 2 or 3: 4");
    }
}
