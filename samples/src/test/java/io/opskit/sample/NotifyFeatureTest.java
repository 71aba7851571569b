package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotifyFeatureTest {

    private static final String TOKEN = "notify-admin-token";
    private static final String PASSWORD = "smtp-pw-" + "5e1f";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private GreenMail mail;

    @BeforeEach
    void startMail() {
        ServerSetup setup = ServerSetupTest.SMTP.dynamicPort();
        setup.setServerStartupTimeout(30_000);
        mail = new GreenMail(setup).withConfiguration(
                GreenMailConfiguration.aConfig().withUser("ops@example.com", "mailer", PASSWORD));
        mail.start();
    }

    @AfterEach
    void stopMail() {
        mail.stop();
    }

    private SampleApp start(Map<String, String> env) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SampleMain.Launch launch = SampleMain.launch(new String[] {"--port", "0", "--data-dir", dataDir.toString()},
                env, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertThat(launch.app()).as("sample failed to start: %s", err).isNotNull();
        return launch.app();
    }

    private Map<String, String> mailEnv() {
        return Map.of("OPSKIT_ADMIN_TOKEN", TOKEN,
                "OPSKIT_NOTIFY_SMTP_HOST", "127.0.0.1",
                "OPSKIT_NOTIFY_SMTP_PORT", Integer.toString(mail.getSmtp().getPort()),
                "OPSKIT_NOTIFY_SMTP_FROM", "sample@example.com",
                "OPSKIT_NOTIFY_SMTP_TO", "ops@example.com",
                "OPSKIT_NOTIFY_SMTP_USER", "mailer",
                "OPSKIT_NOTIFY_SMTP_PASSWORD", PASSWORD);
    }

    private HttpResponse<String> send(SampleApp app, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .header("Authorization", "Bearer " + TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<String> subjects() {
        return Arrays.stream(mail.getReceivedMessages()).map(m -> {
            try {
                return m.getSubject();
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    void sample_smtpHostSet_mailsHealthChangeAndBackupFailure() throws Exception {
        try (SampleApp app = start(mailEnv())) {
            // The start-up backup (missed-run policy) must finish before the repository is broken.
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (new ObjectMapper().readTree(send(app, "GET", "/admin/backups").body()).get("backups").isEmpty()) {
                assertThat(System.nanoTime()).as("start-up backup finished").isLessThan(deadline);
                Thread.onSpinWait();
            }

            assertThat(send(app, "POST", "/admin/maintenance?on=true").statusCode()).isEqualTo(200);
            send(app, "GET", "/health");
            assertThat(mail.waitForIncomingEmail(30_000, 1)).as("health change mailed").isTrue();

            Path backups = dataDir.resolve("backups");
            try (Stream<Path> files = Files.walk(backups)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            Files.writeString(backups, "not a directory: every backup fails");
            HttpResponse<String> failed = send(app, "POST", "/admin/backup");
            for (int i = 0; i < 100 && failed.statusCode() == 409; i++) {
                failed = send(app, "POST", "/admin/backup");
            }
            assertThat(failed.statusCode()).as(failed.body()).isGreaterThanOrEqualTo(500);
            assertThat(mail.waitForIncomingEmail(30_000, 2)).as("backup failure mailed").isTrue();
        }
        assertThat(subjects()).anySatisfy(s -> assertThat(s).startsWith("[opskit-sample] WARNING health.status_changed health:maintenance"));
        assertThat(subjects()).filteredOn(s -> s.contains("backup.failed")).singleElement().asString()
                .startsWith("[opskit-sample] CRITICAL backup.failed backup:sample/app-db+config");
        for (MimeMessage m : mail.getReceivedMessages()) {
            assertThat(GreenMailUtil.getWholeMessage(m)).doesNotContain(PASSWORD).contains("To: ops@example.com");
        }
    }

    @Test
    void smtpNotify_passwordOnlyInSettingsFile_refusedNamingTheVariable() throws Exception {
        Files.writeString(dataDir.resolve(SampleSettings.FILE_NAME),
                "notify.smtp.host=127.0.0.1\nnotify.smtp.to=ops@example.com\nnotify.smtp.user=mailer\n"
                        + "notify.smtp.password=" + PASSWORD + "\n");
        SampleSettings settings = SampleSettings.load(dataDir, Map.of());

        assertThatThrownBy(settings::smtpNotify).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("notify.smtp.user is set but OPSKIT_NOTIFY_SMTP_PASSWORD is not");
    }

    @Test
    void smtpNotify_defaultsAndOverrides_asDocumented() throws Exception {
        SampleSettings none = SampleSettings.load(dataDir, Map.of());
        assertThat(none.smtpNotify()).isEmpty();

        SampleSettings set = SampleSettings.load(dataDir, Map.of("OPSKIT_NOTIFY_SMTP_HOST", "mail.example.com",
                "OPSKIT_NOTIFY_SMTP_TO", "a@example.com, b@example.com", "OPSKIT_NOTIFY_SMTP_STARTTLS", "true",
                "OPSKIT_NOTIFY_SMTP_USER", "u", "OPSKIT_NOTIFY_SMTP_PASSWORD", PASSWORD));
        SampleSettings.SmtpNotify smtp = set.smtpNotify().orElseThrow();
        assertThat(smtp.host()).isEqualTo("mail.example.com");
        assertThat(smtp.port()).isEqualTo(25);
        assertThat(smtp.to()).containsExactly("a@example.com", "b@example.com");
        assertThat(smtp.starttls()).isTrue();
        assertThat(smtp.toString()).doesNotContain(PASSWORD);
        assertThatThrownBy(() -> SampleSettings.load(dataDir, Map.of("OPSKIT_NOTIFY_SMTP_HOST", "h")).smtpNotify())
                .hasMessage("notify.smtp.to is required when notify.smtp.host is set");
    }
}
