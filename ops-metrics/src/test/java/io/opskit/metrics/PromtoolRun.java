package io.opskit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code promtool}; with CI=true a missing promtool fails the calling test, naming it. */
final class PromtoolRun {

    record Result(int exitCode, String output) {
    }

    private PromtoolRun() {
    }

    static Path locate() {
        String found = null;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "promtool"))) {
                found = Path.of(dir, "promtool").toString();
                break;
            }
        }
        String message = "promtool is not installed (Debian package prometheus)";
        if ("true".equals(System.getenv("CI"))) {
            assertThat(found).as(message).isNotNull();
        } else {
            assumeThat(found).as(message).isNotNull();
        }
        return Path.of(found);
    }

    static Result run(Path workDir, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(locate().toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("promtool did not finish within 120 s: " + command);
        }
        return new Result(process.exitValue(), output);
    }
}
