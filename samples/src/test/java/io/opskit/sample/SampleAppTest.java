package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleAppTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private SampleApp start(Map<String, String> env) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SampleMain.Launch launch = SampleMain.launch(
                new String[] {"--port", "0", "--data-dir", dataDir.toString()}, env,
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertThat(launch.app()).as("sample failed to start: %s", err).isNotNull();
        return launch.app();
    }

    private HttpResponse<String> get(SampleApp app, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void root_freshDataDir_answersWithNameAndCreatesDatabase() throws Exception {
        try (SampleApp app = start(Map.of())) {
            HttpResponse<String> response = get(app, "/");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(response.body()).contains("\"name\":\"opskit-sample\"").contains("\"notes\":0");
            assertThat(get(app, "/no-such-page").statusCode()).isEqualTo(404);
        }
        assertThat(dataDir.resolve("app.db")).isRegularFile();
        assertThat(dataDir.resolve("backups")).isDirectory();
        assertThat(dataDir.resolve(SampleSettings.FILE_NAME)).isRegularFile();
    }

    @Test
    void adminRoute_withoutToken_answers401_andWithToken_passes() throws Exception {
        try (SampleApp app = startWithAdminProbe(Map.of("OPSKIT_ADMIN_TOKEN", "s3cret-admin"))) {
            assertThat(get(app, "/admin/probe").statusCode()).isEqualTo(401);
            assertThat(get(app, "/admin/probe", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
            HttpResponse<String> ok = get(app, "/admin/probe", "Authorization", "Bearer s3cret-admin");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).doesNotContain("s3cret-admin");
        }
    }

    @Test
    void adminRoute_tokenUnset_isDisabled() throws Exception {
        try (SampleApp app = startWithAdminProbe(Map.of())) {
            HttpResponse<String> response = get(app, "/admin/probe", "Authorization", "Bearer anything");
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.body()).contains("disabled");
        }
    }

    private SampleApp startWithAdminProbe(Map<String, String> env) throws Exception {
        SampleApp app = start(env);
        // Admin routes are registered by features before start; add a probe the same way for this test.
        app.close();
        SampleOptions options = new SampleOptions(0, dataDir, env.get("OPSKIT_ADMIN_TOKEN"), false, env);
        return SampleAppWithProbe.start(options);
    }

    @Test
    void close_duringSlowRequest_drainsItBeforeStopping() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SampleApp app = SampleAppWithProbe.startWithSlowRoute(
                new SampleOptions(0, dataDir, null, false, Map.of()), entered, release);
        CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/slow")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(app::close);
        release.countDown();
        HttpResponse<String> response = inFlight.get(20, TimeUnit.SECONDS);
        closing.get(20, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("done");
        assertThat(app.host().dataSource().isClosed()).isTrue();
    }

    @Test
    void launch_unknownFlag_exitsNonZeroWithOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SampleMain.Launch launch = SampleMain.launch(new String[] {"--bogus"}, Map.of(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertThat(launch.app()).isNull();
        assertThat(launch.exitCode()).isNotZero();
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(text.lines()).hasSize(1);
        assertThat(text).contains("--bogus");
    }

    @Test
    void launch_badPortEnv_namesTheVariable() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SampleMain.Launch launch = SampleMain.launch(new String[] {"--data-dir", dataDir.toString()},
                Map.of("PORT", "eighty"), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertThat(launch.exitCode()).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("PORT must be a number").contains("eighty");
    }

    @Test
    void launch_portInUse_exitsNonZeroWithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            SampleMain.Launch launch = SampleMain.launch(
                    new String[] {"--port", String.valueOf(taken.getLocalPort()), "--data-dir", dataDir.toString()},
                    Map.of(), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
            assertThat(launch.app()).isNull();
            assertThat(launch.exitCode()).isEqualTo(1);
            String text = err.toString(StandardCharsets.UTF_8);
            assertThat(text.lines()).hasSize(1);
            assertThat(text).contains("address already in use").contains(String.valueOf(taken.getLocalPort()));
        }
        assertThat(Files.exists(dataDir.resolve("app.db"))).isFalse();
    }
}
