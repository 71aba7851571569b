package io.opskit.sample;

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
final class MetricsPromtool {

    record Result(int exitCode, String output) {
    }

    private MetricsPromtool() {
    }

    static Result run(byte[] stdin, String... args) throws Exception {
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
        List<String> command = new ArrayList<>();
        command.add(found);
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = process.getOutputStream()) {
            in.write(stdin);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }
}
