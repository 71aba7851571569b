package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.backup.BackupSource;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import io.opskit.backup.retention.RetentionLimitExceededException;
import io.opskit.backup.retention.RetentionPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupEventsTest {

    @TempDir
    Path dir;

    private final List<OpsEvent> heard = new CopyOnWriteArrayList<>();
    private final List<OpsEvent> alsoHeard = new CopyOnWriteArrayList<>();

    private BackupRepository.Builder repo(BackupSource source) {
        return BackupRepository.builder()
                .directory(dir.resolve("repo"))
                .name("nightly")
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("backup.key")))
                .source(source)
                .notifier(heard::add)
                .notifier(alsoHeard::add);
    }

    @Test
    void backup_succeeds_publishesOneSucceededEventToEveryNotifier() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 100);

        BackupManifest made = repo(BackupSources.sqlite("app-db", db)).build().backup();

        assertThat(heard).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("backup.succeeded");
            assertThat(e.source()).isEqualTo("backup:nightly/app-db");
            assertThat(e.severity()).isEqualTo(Severity.INFO);
            assertThat(e.labels()).containsEntry("backup_id", made.id()).containsEntry("repository", "nightly");
        });
        assertThat(alsoHeard).hasSize(1);
    }

    @Test
    void backup_sourceThrows_publishesExactlyOneFailedEventNamingRepositoryAndSource() {
        BackupSource broken = new BackupSource() {
            @Override
            public String name() {
                return "orders";
            }

            @Override
            public String kind() {
                return "custom";
            }

            @Override
            public void writeSnapshot(OutputStream out) throws IOException {
                throw new IOException("connection refused to postgres://app:hunter2@db/x");
            }
        };
        BackupRepository repository = repo(broken).build();

        assertThatThrownBy(repository::backup).isInstanceOf(BackupFailedException.class);

        assertThat(heard).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("backup.failed");
            assertThat(e.source()).isEqualTo("backup:nightly/orders");
            assertThat(e.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(e.summary()).contains("connection refused").doesNotContain("hunter2");
            assertThat(e.labels()).containsEntry("reason", "source");
        });
    }

    @Test
    void verify_corruptArchive_publishesVerifyFailedAndRestoreDrillFailed() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 100);
        BackupRepository repository = repo(BackupSources.sqlite("app-db", db)).build();
        BackupManifest made = repository.backup();
        heard.clear();
        flipByte(dir.resolve("repo").resolve(made.sources().get(0).object()), 200);

        assertThatThrownBy(() -> repository.verify(made.id(), VerifyLevel.TEST_RESTORE))
                .isInstanceOf(BackupIntegrityException.class);

        assertThat(heard).extracting(OpsEvent::type)
                .containsExactlyInAnyOrder("backup.verify_failed", "backup.restore_drill_failed");
        assertThat(heard).allSatisfy(e -> assertThat(e.labels()).containsEntry("backup_id", made.id()));
    }

    @Test
    void prune_tooManyDeletions_publishesPruneRefused() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 10);
        BackupRepository repository = repo(BackupSources.sqlite("app-db", db)).build();
        for (int i = 0; i < 4; i++) {
            repository.backup();
        }
        heard.clear();

        assertThatThrownBy(() -> repository.prune(RetentionPolicy.builder().keepLast(1).build(), false))
                .isInstanceOf(RetentionLimitExceededException.class);

        assertThat(heard).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("backup.prune_refused");
            assertThat(e.severity()).isEqualTo(Severity.WARNING);
        });
        assertThat(repository.list()).hasSize(4);
    }

    @Test
    void freshnessCheck_goesDown_publishesFreshnessLostOncePerEpisode() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 10);
        MutableClock clock = new MutableClock(Instant.parse("2026-11-21T02:00:00Z"));
        BackupRepository repository = repo(BackupSources.sqlite("app-db", db)).clock(clock).build();
        repository.backup();
        heard.clear();
        var check = repository.freshnessCheck(Duration.ofHours(1));

        assertThat(check.check().status()).isEqualTo(HealthStatus.UP);
        clock.now = clock.now.plus(Duration.ofHours(2));
        assertThat(check.check().status()).isEqualTo(HealthStatus.DOWN);
        assertThat(check.check().status()).isEqualTo(HealthStatus.DOWN);

        assertThat(heard).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("backup.freshness_lost");
            assertThat(e.source()).isEqualTo("backup:nightly/app-db");
        });
    }

    static void flipByte(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x40);
        }
    }

    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
