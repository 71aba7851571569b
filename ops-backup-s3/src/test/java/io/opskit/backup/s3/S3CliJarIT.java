package io.opskit.backup.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.opskit.backup.KeyFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 CLI jar, run as a user runs it against S3Proxy on loopback, configured only through the
 * standard AWS_* variables of the child process. Runs after packaging (see the module's pom).
 */
class S3CliJarIT {

    static S3ProxyServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.inMemory();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    record Run(int code, String out, String err) {
    }

    private static Run java(Map<String, String> env, String... args) throws Exception {
        Path jar = Path.of("target", "opskit-backup-s3-cli.jar").toAbsolutePath();
        Path storeClass = Path.of("target", "classes", "io", "opskit", "backup", "s3", "S3BackupStore.class");
        assumeTrue(Files.isRegularFile(jar)
                && Files.getLastModifiedTime(jar).compareTo(Files.getLastModifiedTime(storeClass)) >= 0,
                "the CLI jar is built after the test phase; this test runs in the package phase");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void javaJar_s3Repo_backupListVerifyRestorePrune() throws Exception {
        Path db = dir.resolve("app.db");
        SqliteFixture.create(db, 200, 200);
        Path key = dir.resolve("backup.key");
        KeyFile.loadOrCreate(key);
        String bucket = server.newBucket();
        String repo = "s3://" + bucket + "/prod/app1";
        Map<String, String> env = server.environment();

        Run first = java(env, "backup", "--source", "app-db=sqlite:" + db, "--repo", repo, "--key-file", key.toString());
        assertThat(first.code()).as(first.err()).isZero();
        String firstId = first.out().lines().reduce((a, b) -> b).orElseThrow();
        Run second = java(env, "backup", "--source", "app-db=sqlite:" + db, "--repo", repo, "--key-file", key.toString());
        assertThat(second.code()).as(second.err()).isZero();
        String secondId = second.out().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(server.admin().listObjectsV2(r -> r.bucket(bucket).prefix("prod/app1/" + firstId + "/")).contents())
                .isNotEmpty();

        Run list = java(env, "list", "--repo", repo, "--key-file", key.toString(), "--json");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains(firstId).contains(secondId);

        Run verify = java(env, "verify", "--repo", repo, "--key-file", key.toString(), "--level", "3", "--all");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out()).contains("ok      " + firstId).contains("ok      " + secondId);

        Path restored = dir.resolve("restored.db");
        Run restore = java(env, "restore", "--repo", repo, "--key-file", key.toString(), firstId, "--to", restored.toString());
        assertThat(restore.code()).as(restore.err()).isZero();
        assertThat(SqliteFixture.count(restored)).isEqualTo(200);

        Run prune = java(env, "prune", "--repo", repo, "--key-file", key.toString(), "--keep-last", "1", "--apply", "--force");
        assertThat(prune.code()).as(prune.out() + prune.err()).isZero();
        Run after = java(env, "list", "--repo", repo, "--key-file", key.toString(), "--json");
        assertThat(after.out()).contains(secondId).doesNotContain(firstId);

        for (Run r : List.of(first, second, list, verify, restore, prune, after)) {
            assertThat(r.out() + r.err()).doesNotContain(S3ProxyServer.SECRET_KEY);
        }
    }

    @Test
    void javaJar_wrongSecret_failsWithOneLine() throws Exception {
        Path key = dir.resolve("backup.key");
        KeyFile.loadOrCreate(key);
        Map<String, String> env = new java.util.HashMap<>(server.environment());
        env.put("AWS_SECRET_ACCESS_KEY", "not-the-secret");
        Run list = java(env, "list", "--repo", "s3://" + server.newBucket() + "/x", "--key-file", key.toString());
        assertThat(list.code()).isEqualTo(1);
        assertThat(list.err().strip().lines().toList()).hasSize(1);
        assertThat(list.err()).doesNotContain("not-the-secret");
    }
}
