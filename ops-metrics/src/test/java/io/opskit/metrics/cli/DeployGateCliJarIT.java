package io.opskit.metrics.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shaded CLI jar, run as a deploy script runs it: runs after packaging (see the module's pom). */
class DeployGateCliJarIT {

    record Run(int code, String out, String err) {
    }

    private static Run java(String... args) throws Exception {
        Path jar = Path.of("target", "opskit-metrics-cli.jar").toAbsolutePath();
        Path cliClass = Path.of("target", "classes", "io", "opskit", "metrics", "cli", "DeployGateCli.class");
        // Runs for real in the package phase, right after the jar is shaded; a jar from an older
        // build (when a test filter also runs this class before packaging) is not what we test.
        assumeTrue(Files.isRegularFile(jar)
                && Files.getLastModifiedTime(jar).compareTo(Files.getLastModifiedTime(cliClass)) >= 0,
                "the CLI jar is built after the test phase; this test runs in the package phase");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-jar", jar.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void javaJar_passAndFail_exitZeroAndOne() throws Exception {
        try (FakePrometheus healthy = new FakePrometheus(q -> q.contains("outcome=~") ? 1.0 : 10_000.0);
             FakePrometheus failing = new FakePrometheus(q -> q.contains("outcome=~") ? 500.0 : 10_000.0)) {
            Run pass = java("--prometheus", healthy.uri().toString(), "--job", "shop", "--availability", "api=0.999",
                    "--window", "30m");
            assertThat(pass.code()).as(pass.err()).isZero();
            assertThat(pass.out()).startsWith("{\"verdict\":\"PASS\"");
            assertThat(pass.err().lines()).hasSize(1);
            Run fail = java("--prometheus", failing.uri().toString(), "--job", "shop", "--availability", "api=0.999",
                    "--window", "30m");
            assertThat(fail.code()).isEqualTo(1);
            assertThat(fail.err()).startsWith("opskit-deploy-gate: FAIL: api FAIL, error ratio 5 % above 0.1 %");
        }
        Run version = java("--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("opskit-deploy-gate 0.");
    }
}
