package io.opskit.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real Prometheus server (Debian package {@code prometheus}) for one test: its own configuration,
 * storage directory and loopback port, stopped by {@link #close()}. When the binary is missing the
 * test fails under {@code CI=true}, naming it, and is skipped elsewhere (see {@link Services}).
 *
 * <pre>{@code
 * try (Prometheus prometheus = Prometheus.start(dir, Prometheus.config(Duration.ofSeconds(1), "app",
 *         "127.0.0.1:" + appPort, List.of(rules)), Prometheus.freePort())) {
 *     String json = prometheus.query("up{job=\"app\"}");
 * }
 * }</pre>
 */
public final class Prometheus implements AutoCloseable {

    private final Process process;
    private final URI uri;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Prometheus(Process process, URI uri, Path log) {
        this.process = process;
        this.uri = uri;
        this.log = log;
    }

    /** A loopback TCP port free now (another process may take it before it is used). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * A configuration that scrapes one target and evaluates rules at the same {@code interval} (its
     * scrape timeout is the interval too).
     *
     * @param target {@code host:port} serving {@code /metrics}
     */
    public static String config(Duration interval, String job, String target, List<Path> ruleFiles) {
        String every = interval.toMillis() + "ms";
        StringBuilder y = new StringBuilder("global:\n  scrape_interval: " + every + "\n  scrape_timeout: " + every
                + "\n  evaluation_interval: " + every + "\n");
        if (!ruleFiles.isEmpty()) {
            y.append("rule_files:\n");
            for (Path f : ruleFiles) {
                y.append("  - '").append(f.toAbsolutePath().toString().replace("'", "''")).append("'\n");
            }
        }
        y.append("scrape_configs:\n  - job_name: '").append(job.replace("'", "''")).append("'\n")
                .append("    metrics_path: /metrics\n    static_configs:\n      - targets: ['").append(target)
                .append("']\n");
        return y.toString();
    }

    /**
     * Starts {@code prometheus} with {@code config} in {@code dir} (configuration, storage and log
     * there), listening on 127.0.0.1:{@code port}, and returns once it answers {@code /-/ready}.
     *
     * @throws AssertionError when it does not become ready within 30 s (its log is in the message),
     *                        or (CI) when the binary is missing
     */
    public static Prometheus start(Path dir, String config, int port) throws IOException, InterruptedException {
        Path binary = Services.command("prometheus");
        Files.createDirectories(dir);
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + file,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Prometheus prometheus = new Prometheus(process, URI.create("http://127.0.0.1:" + port), log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!prometheus.ready()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                prometheus.close();
                throw new AssertionError("prometheus did not become ready on 127.0.0.1:" + port + ":\n"
                        + Files.readString(log));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return prometheus;
    }

    private boolean ready() {
        try {
            return http.send(HttpRequest.newBuilder(uri.resolve("/-/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The server, such as {@code http://127.0.0.1:41234}. */
    public URI uri() {
        return uri;
    }

    /** The body of {@code GET path} (with its query string), such as {@code /api/v1/rules}; any status. */
    public String get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri.resolve(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The JSON answer of the instant query {@code promql} at the server's now. */
    public String query(String promql) throws IOException, InterruptedException {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** What the server logged so far, for failure messages. */
    public String log() throws IOException {
        return Files.readString(log);
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
