package io.opskit.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Prometheus' {@code promtool} (Debian package {@code prometheus}); see {@link Services}. */
public final class Promtool {

    /** What promtool printed and how it exited. */
    public record Result(int exitCode, String output) {
    }

    private Promtool() {
    }

    /**
     * Runs {@code promtool ARGS} with {@code stdin} as its input, waiting at most 60 s.
     *
     * @throws AssertionError (CI) or a skipped test (elsewhere) when promtool is not installed
     */
    public static Result run(byte[] stdin, String... args) throws IOException, InterruptedException {
        Path promtool = Services.command("promtool");
        List<String> command = new ArrayList<>();
        command.add(promtool.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("promtool did not finish within 60 s: " + command);
        }
        return new Result(process.exitValue(), output);
    }
}
