package io.opskit.backup.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Runs a command-line tool (pg_dump, pg_restore, psql) with secrets passed in its environment only,
 * streaming its standard input or output, and turning a non-zero exit into an IOException with the
 * tool's last line of standard error.
 */
public final class ChildProcess {

    private static final int STDERR_KEEP = 8192;

    private ChildProcess() {
    }

    /**
     * Runs {@code command}; {@code stdin} (or nothing) is fed to it and its standard output copied to
     * {@code stdout} (or discarded).
     *
     * @return the tool's standard output when {@code stdout} is null and {@code captureOutput} is set
     * @throws IOException when the tool cannot be started, fails, or a stream fails
     */
    public static String run(List<String> command, Map<String, String> env,
                             @org.jspecify.annotations.Nullable InputStream stdin,
                             @org.jspecify.annotations.Nullable OutputStream stdout) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException(command.get(0) + " could not be started (is it installed and on PATH?): " + e.getMessage(), e);
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errPump = pump(process.getErrorStream(), err, command.get(0) + "-stderr");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        IOException feedFailure = null;
        Thread inPump = null;
        final Exception[] inFailure = new Exception[1];
        if (stdin != null) {
            inPump = new Thread(() -> {
                try (OutputStream toChild = process.getOutputStream()) {
                    stdin.transferTo(toChild);
                } catch (IOException | RuntimeException e) {
                    // Kill the tool first, so it cannot finish on a truncated input.
                    process.destroyForcibly();
                    inFailure[0] = e;
                }
            }, command.get(0) + "-stdin");
            inPump.setDaemon(true);
            inPump.start();
        }
        try (InputStream fromChild = process.getInputStream()) {
            if (stdout != null) {
                fromChild.transferTo(stdout);
            } else {
                fromChild.transferTo(captured);
            }
        } catch (IOException e) {
            feedFailure = e;
            process.destroyForcibly();
        }
        int exit;
        try {
            if (inPump != null) {
                inPump.join();
            }
            exit = process.waitFor();
            errPump.join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(command.get(0) + " interrupted");
        }
        if (inFailure[0] instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (inFailure[0] instanceof IOException io) {
            throw io;
        }
        if (feedFailure != null) {
            throw feedFailure;
        }
        if (exit != 0) {
            throw new IOException(command.get(0) + " failed (exit " + exit + "): " + lastLine(err));
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream keep, String name) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (keep) {
                        if (keep.size() < STDERR_KEEP) {
                            keep.write(buf, 0, Math.min(n, STDERR_KEEP - keep.size()));
                        }
                    }
                }
            } catch (IOException ignored) {
                // The process ended; what we have is enough for the message.
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String lastLine(ByteArrayOutputStream err) {
        String text;
        synchronized (err) {
            text = err.toString(StandardCharsets.UTF_8).strip();
        }
        if (text.isEmpty()) {
            return "no message on standard error";
        }
        String[] lines = text.split("\\R");
        // pg tools put the useful line first ("connection ... failed: ..."), details after.
        for (String line : lines) {
            if (line.contains("error") || line.contains("FATAL") || line.contains("failed")) {
                return line.strip();
            }
        }
        return lines[lines.length - 1].strip();
    }
}
