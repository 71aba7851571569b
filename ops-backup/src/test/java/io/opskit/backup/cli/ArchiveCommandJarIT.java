package io.opskit.backup.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wal-push} and {@code wal-fetch} through the jar's entry point and through the launcher
 * script, as PostgreSQL runs them: exit codes, quiet stderr, and the class data archive the script
 * makes on the first run and uses after. Runs after packaging (see the module's pom).
 */
class ArchiveCommandJarIT {

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private Run run(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("OPSKIT_BACKUP_CDS_DIR", dir.resolve("cds").toString());
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = pb.start();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private static Path jar() throws Exception {
        Path jar = Path.of("target", "opskit-backup-cli.jar").toAbsolutePath();
        Path mainClass = Path.of("target", "classes", "io", "opskit", "backup", "cli", "ArchiveCommandMain.class");
        assumeTrue(Files.isRegularFile(jar) && Files.isRegularFile(mainClass)
                && Files.getLastModifiedTime(jar).compareTo(Files.getLastModifiedTime(mainClass)) >= 0,
                "the CLI jar is built after the test phase; this test runs in the package phase");
        return jar;
    }

    private Run javaJar(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    /** The launcher script beside a copy of the jar, as the README installs it. */
    private Run launcher(String... args) throws Exception {
        Path bin = dir.resolve("bin");
        if (!Files.exists(bin.resolve("opskit-backup"))) {
            Files.createDirectories(bin);
            Files.copy(jar(), bin.resolve("opskit-backup-cli.jar"));
            Files.copy(Path.of("bin", "opskit-backup"), bin.resolve("opskit-backup"));
        }
        List<String> command = new ArrayList<>(List.of("sh", bin.resolve("opskit-backup").toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    @Test
    void walPushAndFetch_fromTheJar_exitAsPostgresqlExpects() throws Exception {
        Path key = dir.resolve("k");
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        Files.write(key, raw);
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path segment = dir.resolve("000000010000000000000003");
        byte[] wal = new byte[1 << 20];
        new SecureRandom().nextBytes(wal);
        Files.write(segment, wal);
        String repo = dir.resolve("repo").toString();

        Run push = javaJar("wal-push", "--repo", repo, "--key-file", key.toString(), segment.toString());
        assertThat(push.code()).as(push.err()).isZero();
        assertThat(push.err()).isEmpty();

        Path restored = dir.resolve("RECOVERYXLOG");
        Run fetch = javaJar("wal-fetch", "--repo=" + repo, "--key-file=" + key, segment.getFileName().toString(), restored.toString());
        assertThat(fetch.code()).as(fetch.err()).isZero();
        assertThat(Files.readAllBytes(restored)).isEqualTo(wal);

        Run missing = javaJar("wal-fetch", "--repo", repo, "--key-file", key.toString(), "000000010000000000000004",
                restored.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEmpty();

        Run help = javaJar("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("archive_command: archives one WAL file (%p)");
        assertThat(help.err()).isEmpty();

        Run usage = javaJar("wal-fetch", "--repo", repo, "--key-file", key.toString(), "000000010000000000000004");
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.err().lines()).hasSize(1);
    }

    /** The launcher's cache for this JVM: an ahead-of-time cache on JDK 25 and later, a class data archive before. */
    private static String cacheSuffix() {
        return Runtime.version().feature() >= 25 ? ".aot" : ".jsa";
    }

    @Test
    void launcher_firstRunMakesTheClassDataArchive_laterRunsUseItAndSayNothingOfIt() throws Exception {
        Path key = dir.resolve("k");
        Files.write(key, new byte[32]);
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String repo = dir.resolve("repo").toString();
        for (int i = 3; i <= 5; i++) {
            Path segment = dir.resolve("00000001000000000000000" + i);
            Files.write(segment, new byte[1 << 20]);
            Run push = launcher("wal-push", "--repo", repo, "--key-file", key.toString(), segment.toString());
            assertThat(push.code()).as(push.err()).isZero();
            assertThat(push.out()).isEmpty();
            assertThat(push.err()).isEmpty();
            try (var archives = Files.list(dir.resolve("cds"))) {
                assertThat(archives.map(p -> p.getFileName().toString()).toList())
                        .singleElement().asString().startsWith("wal-push-").endsWith(cacheSuffix());
            }
        }
        Path restored = dir.resolve("RECOVERYXLOG");
        Run fetch = launcher("wal-fetch", "--repo", repo, "--key-file", key.toString(), "000000010000000000000004",
                restored.toString());
        assertThat(fetch.code()).as(fetch.err()).isZero();
        assertThat(fetch.out()).isEmpty();
        assertThat(restored).hasSize(1 << 20);
        Run version = launcher("--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("opskit-backup ");
    }

    @Test
    void launcher_helpOfAnArchiveCommandOnItsFirstRun_isPrinted() throws Exception {
        // A first wal-push run records the launcher's cache, and on JDK 25 that run's stdout is
        // dropped: help, which goes to stdout, must not be such a run.
        Run help = launcher("wal-push", "--help");

        assertThat(help.code()).as(help.err()).isZero();
        assertThat(help.out()).contains("wal-push");
        assertThat(help.err()).isEmpty();
    }

    @Test
    void launcher_aJvmThatCannotStartOnTheFirstRun_saysWhyAndFails() throws Exception {
        Path segment = dir.resolve("000000010000000000000003");
        Files.write(segment, new byte[1024]);
        Path bin = dir.resolve("bin");
        launcher("--version"); // installs the launcher beside the jar
        ProcessBuilder pb = new ProcessBuilder("sh", bin.resolve("opskit-backup").toString(), "wal-push", "--repo",
                dir.resolve("repo").toString(), "--key-file", dir.resolve("k").toString(), segment.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("OPSKIT_BACKUP_CDS_DIR", dir.resolve("cds").toString());
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("OPSKIT_BACKUP_JAVA_OPTS", "-XX:+NoSuchOptionInAnyJvm");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).isNotZero();
        assertThat(out + err).contains("NoSuchOptionInAnyJvm");
        assertThat(dir.resolve("repo")).doesNotExist();
    }
}
