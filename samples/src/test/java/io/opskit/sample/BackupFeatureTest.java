package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.KeyFile;
import io.opskit.backup.VerifyLevel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupFeatureTest {

    private static final String TOKEN = "backup-admin-token";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private SampleApp start() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SampleMain.Launch launch = SampleMain.launch(new String[] {"--port", "0", "--data-dir", dataDir.toString()},
                Map.of("OPSKIT_ADMIN_TOKEN", TOKEN), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertThat(launch.app()).as("sample failed to start: %s", err).isNotNull();
        return launch.app();
    }

    private HttpResponse<String> send(SampleApp app, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .header("Authorization", "Bearer " + TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void postAdminBackup_runsBackupThatListsVerifiesAndRestores() throws Exception {
        String id;
        try (SampleApp app = start()) {
            assertThat(dataDir.resolve("backup.key")).isRegularFile();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("backup.key"))))
                    .isEqualTo("rw-------");
            assertThat(send(app, "GET", "/health").body()).contains("backup-freshness");

            // With no earlier backup, the runner takes one at start (missed-run policy RUN_ONCE).
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (new ObjectMapper().readTree(send(app, "GET", "/admin/backups").body()).get("backups").isEmpty()) {
                assertThat(System.nanoTime()).as("start-up backup finished").isLessThan(deadline);
                Thread.onSpinWait();
            }
            HttpResponse<String> made = send(app, "POST", "/admin/backup");
            for (int i = 0; i < 100 && made.statusCode() == 409; i++) {
                // The start-up run may still be pruning; runs never overlap.
                made = send(app, "POST", "/admin/backup");
            }
            assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
            JsonNode body = new ObjectMapper().readTree(made.body());
            id = body.get("id").asText();
            assertThat(body.get("verifiedLevel").asInt()).isEqualTo(2);
            assertThat(body.get("sources").toString()).contains("app-db").contains("config");

            HttpResponse<String> list = send(app, "GET", "/admin/backups");
            assertThat(list.statusCode()).isEqualTo(200);
            JsonNode listed = new ObjectMapper().readTree(list.body());
            assertThat(listed.get("backups")).hasSize(2);
            assertThat(listed.get("backups").get(1).get("id").asText()).isEqualTo(id);
            assertThat(listed.get("schedule").asText()).contains("0 2 * * *");
            assertThat(send(app, "GET", "/admin/backup").statusCode()).isEqualTo(405);
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/admin/backups"))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        }
        BackupRepository repository = BackupRepository.builder().directory(dataDir.resolve("backups"))
                .keyProvider(KeyFile.load(dataDir.resolve("backup.key"))).build();
        assertThat(repository.verify(id, VerifyLevel.TEST_RESTORE).verifiedAtLeast(VerifyLevel.TEST_RESTORE)).isTrue();
        Path config = dataDir.resolve("restored-config");
        repository.restore(id, "config", config.toString(), false);
        assertThat(config.resolve(SampleSettings.FILE_NAME)).isRegularFile();
    }
}
