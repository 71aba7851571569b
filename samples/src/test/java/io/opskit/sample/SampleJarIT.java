package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the packaged sample jar as its own process, as an operator does, and attacks it from
 * outside: slow clients that never finish their headers, and maintenance mode.
 */
class SampleJarIT {

    private static final String TOKEN = "jar-it-admin-token";
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)/");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final List<Socket> sockets = new ArrayList<>();
    private Process process;
    private int port;

    @TempDir
    Path dataDir;

    @BeforeEach
    void startJar() throws Exception {
        Path jar = Path.of(System.getProperty("sample.jar", "target/opskit-sample.jar"));
        assertThat(jar).as("the packaged sample (run through mvn verify)").isRegularFile();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-jar", jar.toString(), "--port", "0",
                "--data-dir", dataDir.toString()).redirectErrorStream(true);
        builder.environment().put("OPSKIT_ADMIN_TOKEN", TOKEN);
        builder.environment().remove("LOG_JSON");
        process = builder.start();
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        listening.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            listening.completeExceptionally(new AssertionError("the sample ended before it listened"));
        }, "sample-jar-output");
        reader.setDaemon(true);
        reader.start();
        port = listening.get(90, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopJar() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        if (process != null) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void slowloris_64SocketsThatNeverFinishTheirHeaders_liveProbeStillAnswersWithin1s() throws Exception {
        assertThat(send("GET", "/health/live", null).statusCode()).isEqualTo(200); // warm: the process is up
        for (int i = 0; i < 64; i++) {
            Socket s = new Socket("127.0.0.1", port);
            OutputStream out = s.getOutputStream();
            out.write(("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-" + i + ": ").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            sockets.add(s);
        }

        for (int probe = 0; probe < 4; probe++) {
            long start = System.nanoTime();
            HttpResponse<String> live = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/health/live")).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(took).as("probe %d", probe).isLessThan(Duration.ofSeconds(1));
        }
        for (Socket s : sockets) {
            assertThat(s.isClosed()).isFalse(); // the slow clients were still holding their sockets
        }
    }

    @Test
    void maintenance_on_postFeedbackAnswers503_liveAnswers200() throws Exception {
        assertThat(send("POST", "/admin/maintenance?on=true", null, "Authorization", "Bearer " + TOKEN).statusCode())
                .isEqualTo(200);

        HttpResponse<String> feedback = send("POST", "/api/feedback", "{\"text\":\"the app is great\"}",
                "Content-Type", "application/json");
        HttpResponse<String> live = send("GET", "/health/live", null);

        assertThat(feedback.statusCode()).isEqualTo(503);
        assertThat(feedback.headers().firstValue("Retry-After")).isPresent();
        assertThat(feedback.body()).contains("maintenance");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(Files.exists(dataDir.resolve("app.db"))).isTrue();
    }
}
