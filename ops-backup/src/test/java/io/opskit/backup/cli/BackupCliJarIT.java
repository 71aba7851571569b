package io.opskit.backup.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.opskit.backup.KeyFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shaded CLI jar, run as a user runs it: runs after packaging (see the module's pom). */
class BackupCliJarIT {

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run java(String... args) throws Exception {
        Path jar = Path.of("target", "opskit-backup-cli.jar").toAbsolutePath();
        Path cliClass = Path.of("target", "classes", "io", "opskit", "backup", "cli", "BackupCli.class");
        // Runs for real in the package phase, right after the jar is shaded; a jar from an older
        // build (when a test filter also runs this class before packaging) is not what we test.
        assumeTrue(Files.isRegularFile(jar)
                && Files.getLastModifiedTime(jar).compareTo(Files.getLastModifiedTime(cliClass)) >= 0,
                "the CLI jar is built after the test phase; this test runs in the package phase");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-jar", jar.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void javaJar_backupThenVerify_exitsZero_andFailureIsOneLine() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t(v)");
            s.execute("INSERT INTO t VALUES (1)");
        }
        Path key = dir.resolve("k");
        KeyFile.loadOrCreate(key);
        Path repo = dir.resolve("repo");

        Run backup = java("backup", "--source", "sqlite:" + db, "--repo", repo.toString(), "--key-file", key.toString());
        assertThat(backup.code()).as(backup.err()).isZero();
        assertThat(backup.err()).isEmpty();
        List<String> lines = backup.out().lines().toList();
        String id = lines.get(lines.size() - 1);
        assertThat(id).matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}");

        Run verify = java("verify", "--repo", repo.toString(), "--key-file", key.toString(), "--level", "3", id);
        assertThat(verify.code()).as(verify.err()).isZero();

        Run restore = java("restore", "--repo", repo.toString(), "--key-file", key.toString(), id, "--to", db.toString());
        assertThat(restore.code()).isEqualTo(1);
        assertThat(restore.err().lines()).hasSize(1);
        assertThat(restore.err()).startsWith("opskit-backup: ").contains("exists");
        assertThat(Files.size(db)).isPositive();
    }

    @Test
    void javaJar_copyToAnotherRepository_thenLockStatus_andHelpAndVersion() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t(v)");
            s.execute("INSERT INTO t VALUES (1)");
        }
        Path key = dir.resolve("k");
        KeyFile.loadOrCreate(key);
        Path repo = dir.resolve("repo");
        Path offSite = dir.resolve("off-site");
        assertThat(java("backup", "--source", "app-db=sqlite:" + db, "--repo", repo.toString(), "--key-file",
                key.toString()).code()).isZero();

        Run copy = java("copy", "--from", repo.toString(), "--to", offSite.toString(), "--key-file", key.toString(), "--all");
        assertThat(copy.code()).as(copy.err()).isZero();
        assertThat(copy.out()).contains("copied 1 of 1 backups");
        Run status = java("lock", "status", "--repo", offSite.toString());
        assertThat(status.code()).isZero();
        assertThat(status.out()).startsWith("not locked");
        Run help = java("backup", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("Usage:").doesNotContain("Missing required");
        Run version = java("--version");
        assertThat(version.out().strip()).matches("opskit-backup \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }
}
