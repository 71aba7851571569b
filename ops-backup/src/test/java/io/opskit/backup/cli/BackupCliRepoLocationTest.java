package io.opskit.backup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.backup.KeyFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --repo} takes a directory or a store URI; a URI whose store module is missing says which to add. */
class BackupCliRepoLocationTest {

    @TempDir
    Path dir;

    @Test
    void list_fileUriRepo_listsTheDirectoryRepository() {
        Path key = dir.resolve("backup.key");
        KeyFile.loadOrCreate(key);
        BackupCliTest.Result list = BackupCliTest.cli("list", "--repo", dir.resolve("repo").toUri().toString(),
                "--key-file", key.toString());
        assertThat(list.code()).as(list.err()).isZero();
    }

    @Test
    void list_s3RepoWithoutTheS3Module_exits1NamingTheModule() {
        BackupCliTest.Result list = BackupCliTest.cli("list", "--repo", "s3://backups/app");
        assertThat(list.code()).isEqualTo(1);
        assertThat(list.err().lines().toList()).hasSize(1);
        assertThat(list.err()).contains("io.opskit:ops-backup-s3").contains("opskit-backup-s3-cli.jar");
    }

    @Test
    void help_repoOption_mentionsS3() {
        BackupCliTest.Result help = BackupCliTest.cli("list", "--help");
        assertThat(help.out()).contains("s3://BUCKET/PREFIX");
    }
}
