package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthStatus;
import io.opskit.backup.retention.RetentionPlan;
import io.opskit.backup.retention.RetentionPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's ops-backup snippet, verbatim, so it cannot rot. */
class ReadmeExampleTest {

    @TempDir
    Path dataDir;

    @Test
    void readmeSnippet_runs() throws Exception {
        TestDb.create(dataDir.resolve("app.db"), 100);
        Files.createDirectories(dataDir.resolve("config"));
        Files.writeString(dataDir.resolve("config").resolve("app.properties"), "a=1");

        // --- README snippet start
        BackupRepository repository = BackupRepository.builder()
                .directory(dataDir.resolve("backups"))
                .keyProvider(KeyFile.loadOrCreate(dataDir.resolve("backup.key")))  // 32 bytes, mode 0600
                .source(BackupSources.sqlite("app-db", dataDir.resolve("app.db")))
                .source(BackupSources.files("config", dataDir.resolve("config"), List.of("**.properties"), List.of()))
                .compression(Compression.gzip(6))
                .verifyLevel(VerifyLevel.DECODE)          // verified before commit; counts toward retention
                .build();
        BackupManifest made = repository.backup();
        repository.verify(made.id(), VerifyLevel.TEST_RESTORE);  // restore drill: scratch restore + integrity_check
        RetentionPlan plan = repository.prune(RetentionPolicy.parse("--keep-within 30d --keep-daily 7 --zone Europe/Berlin"), false);
        repository.restore(made.id(), "app-db", dataDir.resolve("restored.db").toString(), false);
        HealthCheck fresh = repository.freshnessCheck(Duration.ofHours(26));  // DOWN when the newest verified backup is older
        // --- README snippet end

        assertThat(plan.toKeep()).extracting(r -> r.id()).containsExactly(made.id());
        assertThat(TestDb.count(dataDir.resolve("restored.db"))).isEqualTo(100);
        assertThat(fresh.check().status()).isEqualTo(HealthStatus.UP);
        assertThat(Files.readString(Path.of("..", "README.md"))).contains(snippetLine());
    }

    private static String snippetLine() {
        return "RetentionPlan plan = repository.prune(RetentionPolicy.parse(\"--keep-within 30d --keep-daily 7 --zone Europe/Berlin\"), false);";
    }
}
