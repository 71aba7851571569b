package io.opskit.notify;

import static io.opskit.notify.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmailNotifierTest {

    private GreenMail mail;

    @BeforeAll
    static void tls() throws Exception {
        SmtpTls.install();
    }

    @AfterEach
    void stop() {
        if (mail != null) {
            mail.stop();
        }
    }

    private GreenMail start(com.icegreen.greenmail.util.ServerSetup setup) {
        mail = new GreenMail(slowMachine(setup));
        mail.start();
        return mail;
    }

    /** A dynamic port and a start-up wait that holds on a loaded machine (GreenMail's default is 2 s). */
    static com.icegreen.greenmail.util.ServerSetup slowMachine(com.icegreen.greenmail.util.ServerSetup setup) {
        com.icegreen.greenmail.util.ServerSetup s = setup.dynamicPort();
        s.setServerStartupTimeout(30_000);
        return s;
    }

    private static OpsEvent failed() {
        return new OpsEvent("backup:app/db", "backup.failed", Severity.CRITICAL, "backup of db failed: disk full",
                Map.of("repository", "app", "source", "db"), Instant.parse("2026-12-01T02:00:00Z"));
    }

    private EmailNotifier.Builder plain() {
        return EmailNotifier.builder().host("127.0.0.1").port(mail.getSmtp().getPort())
                .from("opskit@example.com").to("ops@example.com");
    }

    @Test
    void notify_plainSmtp_mailHasSubjectBodyAndHeaders() throws Exception {
        start(ServerSetupTest.SMTP);
        plain().to("oncall@example.com").link("https://ops.example.com/backups?source={source}").buildSynchronous()
                .notify(failed());

        assertThat(mail.waitForIncomingEmail(5_000, 2)).isTrue();
        MimeMessage m = mail.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("[opskit] CRITICAL backup.failed backup:app/db: backup of db failed: disk full");
        assertThat(m.getFrom()[0].toString()).isEqualTo("opskit@example.com");
        assertThat(m.getAllRecipients()).extracting(Object::toString)
                .containsExactly("ops@example.com", "oncall@example.com");
        assertThat(m.getHeader("X-Opskit-Event-Type")).containsExactly("backup.failed");
        assertThat(m.getHeader("X-Opskit-Source")).containsExactly("backup:app/db");
        assertThat(m.getHeader("X-Opskit-Severity")).containsExactly("CRITICAL");
        assertThat(m.getContentType()).startsWith("text/plain");
        String body = GreenMailUtil.getBody(m).replace("\r\n", "\n");
        assertThat(body).startsWith("backup of db failed: disk full\n")
                .contains("Source:   backup:app/db\n", "Type:     backup.failed\n", "Severity: CRITICAL\n",
                        "At:       2026-12-01T02:00:00Z\n", "  repository = app\n", "  source = db\n",
                        "Link:     https://ops.example.com/backups?source=backup%3Aapp%2Fdb\n");
    }

    @Test
    void notify_authenticated_serverAcceptsAndWrongPasswordIsPermanent() throws Exception {
        mail = new GreenMail(slowMachine(ServerSetupTest.SMTP))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("ops@example.com", "mailer", "s3cret-pw"));
        mail.start();
        plain().credentials("mailer", "s3cret-pw".toCharArray()).buildSynchronous().notify(failed());
        assertThat(mail.waitForIncomingEmail(5_000, 1)).isTrue();

        EmailNotifier wrong = plain().credentials("mailer", "wrong-pw".toCharArray()).buildSynchronous();
        assertThatThrownBy(() -> wrong.notify(failed())).isInstanceOfSatisfying(NotificationException.class,
                e -> assertThat(e.isTransient()).isFalse()).hasMessageNotContaining("wrong-pw");
    }

    @Test
    void notify_implicitTlsWithTrustedCertificate_delivered() throws Exception {
        start(ServerSetupTest.SMTPS);
        EmailNotifier.builder().host("127.0.0.1").port(mail.getSmtps().getPort()).security(SmtpSecurity.TLS)
                .sslContext(SmtpTls.trustingTestCertificate()).from("opskit@example.com").to("ops@example.com")
                .buildSynchronous().notify(failed());

        assertThat(mail.waitForIncomingEmail(5_000, 1)).isTrue();
        assertThat(mail.getReceivedMessages()[0].getSubject()).contains("backup.failed");
    }

    @Test
    void notify_implicitTlsWithUntrustedCertificate_permanentFailureNothingSent() {
        start(ServerSetupTest.SMTPS);
        EmailNotifier n = EmailNotifier.builder().host("127.0.0.1").port(mail.getSmtps().getPort())
                .security(SmtpSecurity.TLS).from("opskit@example.com").to("ops@example.com").buildSynchronous();

        assertThatThrownBy(() -> n.notify(failed())).isInstanceOfSatisfying(NotificationException.class,
                e -> assertThat(e.isTransient()).isFalse()).hasMessageContaining("TLS");
        assertThat(mail.getReceivedMessages()).isEmpty();
    }

    private static final String USER = "mailer";
    private static final String PASSWORD = "Starttls-Pw-42x";

    /** The forms a password takes on the wire in AUTH PLAIN and AUTH LOGIN. */
    private static List<String> passwordOnTheWire() {
        Base64.Encoder b64 = Base64.getEncoder();
        return List.of(PASSWORD, b64.encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString(("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }

    private static EmailNotifier.Builder startTls(StartTlsSmtpServer server) {
        return EmailNotifier.builder().host("127.0.0.1").port(server.port()).security(SmtpSecurity.STARTTLS)
                .credentials(USER, PASSWORD.toCharArray()).from("opskit@example.com").to("ops@example.com");
    }

    @Test
    void notify_startTlsOffered_sessionUpgradedBeforeCredentialsAndMail() throws Exception {
        try (StartTlsSmtpServer server = new StartTlsSmtpServer(StartTlsSmtpServer.Tls.REQUIRED,
                SmtpTls.serverContext(), USER, PASSWORD)) {
            startTls(server).sslContext(SmtpTls.trustingTestCertificate()).buildSynchronous().notify(failed());

            assertThat(server.logins).as("the server saw the login on TLS")
                    .containsExactly(new StartTlsSmtpServer.Login(USER, true));
            assertThat(server.received).singleElement().satisfies(r -> {
                assertThat(r.tls()).as("the session was upgraded to TLS").isTrue();
                assertThat(r.tlsProtocol()).isIn("TLSv1.2", "TLSv1.3");
                assertThat(r.from()).isEqualTo("opskit@example.com");
                assertThat(r.to()).isEqualTo("ops@example.com");
                MimeMessage m = r.message();
                assertThat(m.getSubject())
                        .isEqualTo("[opskit] CRITICAL backup.failed backup:app/db: backup of db failed: disk full");
                assertThat(m.getHeader("X-Opskit-Event-Type")).containsExactly("backup.failed");
                assertThat(m.getHeader("X-Opskit-Source")).containsExactly("backup:app/db");
                assertThat(m.getHeader("X-Opskit-Severity")).containsExactly("CRITICAL");
                assertThat(GreenMailUtil.getBody(m).replace("\r\n", "\n")).startsWith("backup of db failed: disk full\n")
                        .contains("Source:   backup:app/db\n", "  repository = app\n");
            });
            String wire = server.clientBytes();
            assertThat(wire).as("in the clear the client only greeted and asked for TLS")
                    .matches("(?s)EHLO [^\r\n]+\r\nSTARTTLS\r\n.+");
            assertThat(wire).doesNotContain("AUTH", "MAIL FROM", "backup of db failed")
                    .doesNotContain(passwordOnTheWire());
        }
    }

    @Test
    void notify_startTlsRequiredButNotOffered_failsClearlyAndSendsNoCredentials() throws Exception {
        try (StartTlsSmtpServer server = new StartTlsSmtpServer(StartTlsSmtpServer.Tls.NOT_OFFERED,
                SmtpTls.serverContext(), USER, PASSWORD)) {
            EmailNotifier n = startTls(server).buildSynchronous();

            assertThatThrownBy(() -> n.notify(failed())).isInstanceOfSatisfying(NotificationException.class,
                    e -> assertThat(e.isTransient()).isFalse())
                    .hasMessageContaining("does not offer STARTTLS, which is required; nothing was sent in the clear")
                    .hasMessageNotContaining(PASSWORD);
            assertThat(server.logins).isEmpty();
            assertThat(server.received).isEmpty();
            assertThat(server.clientBytes()).as("the client greeted and gave up")
                    .matches("EHLO [^\r\n]+\r\n(QUIT\r\n)?");
        }
    }

    @Test
    void notify_startTlsWithUntrustedCertificate_permanentFailureNoCredentialsInTheClear() throws Exception {
        try (StartTlsSmtpServer server = new StartTlsSmtpServer(StartTlsSmtpServer.Tls.OFFERED,
                SmtpTls.serverContext(), USER, PASSWORD)) {
            EmailNotifier n = startTls(server).buildSynchronous(); // the JDK's trust store: the test certificate is unknown

            assertThatThrownBy(() -> n.notify(failed())).isInstanceOfSatisfying(NotificationException.class,
                    e -> assertThat(e.isTransient()).isFalse()).hasMessageContaining("TLS with SMTP server")
                    .hasMessageNotContaining(PASSWORD);
            assertThat(server.logins).isEmpty();
            assertThat(server.received).isEmpty();
            assertThat(server.clientBytes()).contains("STARTTLS\r\n").doesNotContain("AUTH", "MAIL FROM")
                    .doesNotContain(passwordOnTheWire());
        }
    }

    @Test
    void notify_serverDefersOrRefuses_4xxTransient5xxPermanent() throws Exception {
        try (ScriptedSmtpServer deferring = new ScriptedSmtpServer("451 4.3.0 try again later");
             ScriptedSmtpServer refusing = new ScriptedSmtpServer("550 5.1.1 no such user")) {
            EmailNotifier toDeferring = EmailNotifier.builder().host("127.0.0.1").port(deferring.port())
                    .from("opskit@example.com").to("ops@example.com").buildSynchronous();
            EmailNotifier toRefusing = EmailNotifier.builder().host("127.0.0.1").port(refusing.port())
                    .from("opskit@example.com").to("ops@example.com").buildSynchronous();

            assertThatThrownBy(() -> toDeferring.notify(failed())).isInstanceOfSatisfying(NotificationException.class,
                    e -> assertThat(e.isTransient()).isTrue()).hasMessageContaining("451");
            assertThatThrownBy(() -> toRefusing.notify(failed())).isInstanceOfSatisfying(NotificationException.class,
                    e -> assertThat(e.isTransient()).isFalse()).hasMessageContaining("550");
        }
    }

    @Test
    void notify_nothingListening_transient() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        EmailNotifier n = EmailNotifier.builder().host("127.0.0.1").port(port).from("opskit@example.com")
                .to("ops@example.com").connectTimeout(Duration.ofSeconds(2)).buildSynchronous();
        assertThatThrownBy(() -> n.notify(failed())).isInstanceOfSatisfying(NotificationException.class,
                e -> assertThat(e.isTransient()).isTrue());
    }

    @Test
    void build_digest_oneMailListingEveryEvent() throws Exception {
        start(ServerSetupTest.SMTP);
        ManualScheduler s = new ManualScheduler();
        try (AsyncNotifier n = plain().digest(Duration.ofMinutes(15))
                .delivery(Delivery.builder().executor(s).scheduler(s).ticker(s.ticker).build()).build()) {
            n.notify(failed());
            n.notify(event("health:db", "health.status_changed", Severity.WARNING, "db DEGRADED"));
            n.notify(event("backup:app/files", "backup.succeeded", Severity.INFO, "files backed up"));
            assertThat(mail.getReceivedMessages()).isEmpty();
            s.advance(Duration.ofMinutes(15));
        }
        assertThat(mail.waitForIncomingEmail(5_000, 1)).isTrue();
        assertThat(mail.getReceivedMessages()).hasSize(1);
        MimeMessage m = mail.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("[opskit] 3 events (1 CRITICAL, 1 WARNING, 1 INFO)");
        assertThat(m.getHeader("X-Opskit-Events")).containsExactly("3");
        assertThat(GreenMailUtil.getBody(m)).contains("backup of db failed", "db DEGRADED", "files backed up");
    }

    @Test
    void notify_canarySecrets_neverInTheMail() throws Exception {
        start(ServerSetupTest.SMTP);
        try (LogCapture logs = new LogCapture()) {
            plain().buildSynchronous().notify(TestEvents.canary());
            assertThat(mail.waitForIncomingEmail(5_000, 1)).isTrue();
            String raw = GreenMailUtil.getWholeMessage(mail.getReceivedMessages()[0]);
            assertThat(raw).doesNotContain(TestEvents.CANARY_PASSWORD, TestEvents.CANARY_TOKEN).contains("[REDACTED]");
            assertThat(String.join("\n", logs.lines()))
                    .doesNotContain(TestEvents.CANARY_PASSWORD, TestEvents.CANARY_TOKEN);
        }
    }

    @Test
    void builder_badOrMissingValues_messagesNameField() {
        assertThatThrownBy(() -> EmailNotifier.builder().from("a@b.c").to("d@e.f").build())
                .isInstanceOf(IllegalStateException.class).hasMessage("host is required");
        assertThatThrownBy(() -> EmailNotifier.builder().host("h").to("d@e.f").build())
                .isInstanceOf(IllegalStateException.class).hasMessage("from is required");
        assertThatThrownBy(() -> EmailNotifier.builder().host("h").from("a@b.c").build())
                .isInstanceOf(IllegalStateException.class).hasMessage("to is required");
        assertThatThrownBy(() -> EmailNotifier.builder().to("not an address"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("to must be an e-mail address: 'not an address'");
        assertThatThrownBy(() -> EmailNotifier.builder().port(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("port must be between 1 and 65535: 0");
        assertThatThrownBy(() -> EmailNotifier.builder().host("a").host("b"))
                .isInstanceOf(IllegalStateException.class).hasMessage("host was already set");
        assertThatThrownBy(() -> EmailNotifier.builder().link("https://x/{sorce}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("link has an unknown placeholder {sorce}");
    }
}
