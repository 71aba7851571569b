package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.task.TaskContext;
import io.opskit.api.task.TaskOutcome;
import io.opskit.backup.retention.RetentionPolicy;
import io.opskit.backup.tasks.BackupTasks;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupTasksTest {

    @TempDir
    Path dir;

    @Test
    void tasks_backupDrillVerifyPrune_reportWhatTheyDid() throws Exception {
        Path db = dir.resolve("app.db");
        TestDb.create(db, 200);
        BackupRepository repository = BackupRepository.builder().directory(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("key"))).source(BackupSources.sqlite("db", db)).build();
        BackupTasks tasks = BackupTasks.of("app", repository);
        TaskContext context = TaskContext.standalone("t", Duration.ofMinutes(5), Clock.systemUTC());

        TaskOutcome nothing = tasks.restoreDrill().run(context);
        TaskOutcome made = tasks.backup().run(context);
        TaskOutcome drill = tasks.restoreDrill().run(context);
        TaskOutcome verify = tasks.verify(VerifyLevel.CHECKSUM).run(context);
        TaskOutcome pruned = tasks.prune(RetentionPolicy.parse("--keep-last 5")).run(context);

        assertThat(tasks.backup().name()).isEqualTo("backup:app");
        assertThat(tasks.restoreDrill().name()).isEqualTo("backup-drill:app");
        assertThat(nothing).isEqualTo(TaskOutcome.skipped("no backup to verify"));
        assertThat(made).isInstanceOf(TaskOutcome.Done.class);
        String id = ((TaskOutcome.Done) made).details().get("backup_id");
        assertThat(repository.list()).extracting(BackupManifest::id).containsExactly(id);
        assertThat(drill.summary()).isEqualTo("backup " + id + " verified at level 3");
        assertThat(repository.manifest(id).verifiedAtLeast(VerifyLevel.TEST_RESTORE)).isTrue();
        assertThat(verify.summary()).isEqualTo("backup " + id + " verified at level 1");
        assertThat(pruned.summary()).isEqualTo("kept 1, deleted 0");
    }
}
