package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthStatus;
import io.opskit.backup.retention.RetentionPlan;
import io.opskit.testsupport.ReadmeSnippets;
import io.opskit.testsupport.ReadmeSnippets.Param;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's ops-backup snippet, compiled from the README and run. */
class ReadmeExampleTest {

    @TempDir
    Path dataDir;

    @Test
    void readmeSnippet_runs() throws Exception {
        TestDb.create(dataDir.resolve("app.db"), 100);
        Files.createDirectories(dataDir.resolve("config"));
        Files.writeString(dataDir.resolve("config").resolve("app.properties"), "a=1");

        List<?> built = (List<?>) ReadmeSnippets.forProject().section("## ops-backup")
                .compile("List.of(made, plan, fresh)", Param.of(Path.class, "dataDir"))
                .run(dataDir);
        BackupManifest made = (BackupManifest) built.get(0);
        RetentionPlan plan = (RetentionPlan) built.get(1);
        HealthCheck fresh = (HealthCheck) built.get(2);

        assertThat(plan.toKeep()).extracting(r -> r.id()).containsExactly(made.id());
        assertThat(TestDb.count(dataDir.resolve("restored.db"))).isEqualTo(100);
        assertThat(fresh.check().status()).isEqualTo(HealthStatus.UP);
    }
}
