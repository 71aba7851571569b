package io.opskit.notify;

import io.opskit.api.internal.Checks;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import io.opskit.notify.internal.EventTemplate;
import io.opskit.notify.internal.Events;
import io.opskit.notify.internal.SmtpFailures;
import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * Mails events over SMTP (Jakarta Mail): plain, {@link SmtpSecurity#STARTTLS STARTTLS} or
 * {@link SmtpSecurity#TLS implicit TLS}, with optional authentication. The server's certificate is
 * checked against the JDK trust store (or the host's {@link Builder#sslContext(SSLContext)}) and its
 * name against the host name.
 *
 * <p>With STARTTLS the notifier connects in plain text, where it sends only {@code EHLO} and
 * {@code STARTTLS} (and {@code QUIT} when it gives up), and upgrades the connection to TLS before it
 * authenticates or sends the mail. STARTTLS is required,
 * never opportunistic: when the server does not offer it, or the TLS handshake fails (an untrusted
 * certificate, a name that does not match), nothing else is sent, neither the credentials nor the
 * mail, and {@link #notify(OpsEvent)} throws a permanent {@link NotificationException} saying so.
 *
 * <p>One plain-text mail per event; subject {@code [opskit] SEVERITY TYPE SOURCE: SUMMARY} (at most 160
 * characters); body with the summary, source, type, severity, time, labels and the host's link; headers
 * {@code X-Opskit-Event-Type}, {@code X-Opskit-Source} and {@code X-Opskit-Severity}. With
 * {@link Builder#digest(Duration)} the events of each interval go out as one mail listing them all
 * (header {@code X-Opskit-Events} gives the count). Summaries and labels are redacted; the password is
 * never logged.
 *
 * <p>{@link #notify(OpsEvent)} sends synchronously and throws {@link NotificationException} (transient for
 * SMTP 4xx replies and connection failures); {@link Builder#build()} wraps it in an
 * {@link AsyncNotifier}. Thread-safe.
 */
public final class EmailNotifier implements Notifier {

    private static final int MAX_SUBJECT = 160;

    private final String name;
    private final String host;
    private final int port;
    private final SmtpSecurity security;
    private final InternetAddress from;
    private final InternetAddress[] to;
    private final String subjectPrefix;
    private final @Nullable EventTemplate link;
    private final Session session;
    private final Clock clock;

    private EmailNotifier(Builder b) {
        this.name = b.resolvedName();
        this.host = Checks.requirePresent(b.host, "host");
        this.from = Checks.requirePresent(b.from, "from");
        if (b.to.isEmpty()) {
            throw new IllegalStateException("to is required");
        }
        this.to = b.to.toArray(new InternetAddress[0]);
        this.security = b.security == null ? SmtpSecurity.NONE : b.security;
        this.port = b.port == null ? security.defaultPort() : b.port;
        this.subjectPrefix = b.subjectPrefix == null ? "[opskit]" : b.subjectPrefix;
        this.link = b.linkTemplate();
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        Duration connectTimeout = b.connectTimeout == null ? Duration.ofSeconds(10) : b.connectTimeout;
        Duration timeout = b.timeoutOr(Duration.ofSeconds(30));
        this.session = session(b, connectTimeout, timeout);
    }

    private Session session(Builder b, Duration connectTimeout, Duration timeout) {
        String p = security == SmtpSecurity.TLS ? "mail.smtps." : "mail.smtp.";
        Properties props = new Properties();
        props.put("mail.transport.protocol", security == SmtpSecurity.TLS ? "smtps" : "smtp");
        props.put(p + "host", host);
        props.put(p + "port", Integer.toString(port));
        props.put(p + "connectiontimeout", Long.toString(connectTimeout.toMillis()));
        props.put(p + "timeout", Long.toString(timeout.toMillis()));
        props.put(p + "writetimeout", Long.toString(timeout.toMillis()));
        props.put(p + "from", from.getAddress());
        if (security == SmtpSecurity.STARTTLS) {
            props.put(p + "starttls.enable", "true");
            props.put(p + "starttls.required", "true");
        }
        if (security != SmtpSecurity.NONE) {
            props.put(p + "ssl.checkserveridentity", "true");
            if (b.sslContext != null) {
                props.put(p + "ssl.socketFactory", b.sslContext.getSocketFactory());
            }
        }
        Authenticator auth = null;
        if (b.user != null) {
            props.put(p + "auth", "true");
            String user = b.user;
            char[] password = b.password == null ? new char[0] : b.password.clone();
            auth = new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(user, new String(password));
                }
            };
        }
        return Session.getInstance(props, auth);
    }

    /** A builder; host, from and at least one to are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The name in log lines and metric tags. */
    public String name() {
        return name;
    }

    /**
     * Sends one mail about the event now.
     *
     * @throws NotificationException when the server did not accept it
     */
    @Override
    public void notify(OpsEvent event) {
        OpsEvent e = Events.redact(Objects.requireNonNull(event, "event"));
        send(subject(e), body(e), Map.of("X-Opskit-Event-Type", e.type(), "X-Opskit-Source", e.source(),
                "X-Opskit-Severity", e.severity().name()));
    }

    /**
     * Sends one digest mail listing the events; nothing when the list is empty.
     *
     * @throws NotificationException when the server did not accept it
     */
    @Override
    public void notifyBatch(List<OpsEvent> events) {
        List<OpsEvent> list = events.stream().map(Events::redact).toList();
        if (list.isEmpty()) {
            return;
        }
        if (list.size() == 1) {
            notify(list.get(0));
            return;
        }
        Map<Severity, Integer> counts = new EnumMap<>(Severity.class);
        Severity worst = Severity.INFO;
        for (OpsEvent e : list) {
            counts.merge(e.severity(), 1, Integer::sum);
            worst = e.severity().compareTo(worst) > 0 ? e.severity() : worst;
        }
        StringBuilder what = new StringBuilder();
        for (Severity s : new Severity[] {Severity.CRITICAL, Severity.WARNING, Severity.INFO}) {
            if (counts.containsKey(s)) {
                what.append(what.length() == 0 ? "" : ", ").append(counts.get(s)).append(' ').append(s);
            }
        }
        String subject = subjectPrefix + " " + list.size() + " events (" + what + ")";
        StringBuilder body = new StringBuilder();
        body.append(list.size()).append(" events from ").append(list.get(0).at()).append(" to ")
                .append(list.get(list.size() - 1).at()).append(".\n");
        int i = 1;
        for (OpsEvent e : list) {
            body.append("\n---- ").append(i++).append(" of ").append(list.size()).append(" ----\n");
            appendEvent(body, e);
        }
        body.append(footer());
        send(subject, body.toString(), Map.of("X-Opskit-Events", Integer.toString(list.size()),
                "X-Opskit-Severity", worst.name()));
    }

    String subject(OpsEvent e) {
        String s = (subjectPrefix + " " + e.severity() + " " + e.type() + " " + e.source() + ": " + e.summary())
                .replaceAll("[\\r\\n\\t]+", " ").strip();
        return s.length() > MAX_SUBJECT ? s.substring(0, MAX_SUBJECT - 3) + "..." : s;
    }

    String body(OpsEvent e) {
        StringBuilder sb = new StringBuilder();
        appendEvent(sb, e);
        return sb.append(footer()).toString();
    }

    private void appendEvent(StringBuilder sb, OpsEvent e) {
        sb.append(e.summary()).append("\n\n");
        sb.append("Source:   ").append(e.source()).append('\n');
        sb.append("Type:     ").append(e.type()).append('\n');
        sb.append("Severity: ").append(e.severity()).append('\n');
        sb.append("At:       ").append(e.at()).append('\n');
        if (!e.labels().isEmpty()) {
            sb.append("Labels:\n");
            new TreeMap<>(e.labels()).forEach((k, v) -> sb.append("  ").append(k).append(" = ").append(v).append('\n'));
        }
        if (link != null) {
            sb.append("Link:     ").append(link.render(e, "")).append('\n');
        }
    }

    private String footer() {
        return "\n-- \nSent by Opskit (notifier " + name + ").\n";
    }

    private void send(String subject, String body, Map<String, String> headers) {
        MimeMessage message = new MimeMessage(session);
        try {
            message.setFrom(from);
            message.setRecipients(Message.RecipientType.TO, to);
            message.setSubject(subject, StandardCharsets.UTF_8.name());
            message.setSentDate(Date.from(clock.instant()));
            message.setText(body, StandardCharsets.UTF_8.name());
            for (Map.Entry<String, String> h : headers.entrySet()) {
                message.setHeader(h.getKey(), h.getValue().replaceAll("[\\r\\n]+", " "));
            }
            message.setHeader("Auto-Submitted", "auto-generated");
            message.saveChanges();
            try (Transport transport = session.getTransport(security == SmtpSecurity.TLS ? "smtps" : "smtp")) {
                transport.connect();
                transport.sendMessage(message, message.getAllRecipients());
            }
        } catch (MessagingException e) {
            throw SmtpFailures.classify(name, host + ":" + port, e);
        }
    }

    @Override
    public String toString() {
        return "EmailNotifier[" + name + " -> " + host + ":" + port + " " + security.wireName() + "]";
    }

    /**
     * Builds an {@link EmailNotifier}; host, from and at least one to are required. Each property may
     * be set once ({@link IllegalStateException} {@code "FIELD was already set"}; {@link #to(String)}
     * adds); bad values throw {@link IllegalArgumentException} naming the field. The name defaults to
     * {@code email}; the {@link #timeout(Duration) timeout} of each SMTP read or write to 30 s. Not
     * thread-safe.
     */
    public static final class Builder extends NotifierBuilder<EmailNotifier, Builder> {

        private @Nullable String host;
        private @Nullable Integer port;
        private @Nullable SmtpSecurity security;
        private @Nullable String user;
        private char @Nullable [] password;
        private @Nullable InternetAddress from;
        private final List<InternetAddress> to = new ArrayList<>();
        private @Nullable String subjectPrefix;
        private @Nullable Duration connectTimeout;
        private @Nullable SSLContext sslContext;
        private @Nullable Clock clock;
        private @Nullable Duration digest;

        private Builder() {
            super("email");
        }

        /** The SMTP server's host name; required. */
        public Builder host(String value) {
            Checks.requireUnset(host, "host");
            Checks.requireNonBlank(value, "host");
            if (value.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("host must not contain spaces: '" + value + "'");
            }
            this.host = value;
            return this;
        }

        /**
         * The port (default: 25, 587 or 465 by {@link #security(SmtpSecurity)}).
         *
         * @throws IllegalArgumentException when not 1 to 65535
         */
        public Builder port(int value) {
            Checks.requireUnset(port, "port");
            if (value < 1 || value > 65_535) {
                throw new IllegalArgumentException("port must be between 1 and 65535: " + value);
            }
            this.port = value;
            return this;
        }

        /**
         * How the connection is protected (default {@link SmtpSecurity#NONE}). {@link SmtpSecurity#STARTTLS}
         * upgrades before credentials or mail are sent and fails, sending nothing, when the server does not
         * offer it.
         */
        public Builder security(SmtpSecurity value) {
            this.security = Checks.setOnce(this.security, value, "security");
            return this;
        }

        /**
         * Authenticates as {@code user}. Read the password from the environment or a secret store; it
         * is copied, kept only in memory and never logged.
         */
        public Builder credentials(String user, char[] password) {
            Checks.requireUnset(this.user, "credentials");
            this.user = Checks.requireNonBlank(user, "user");
            this.password = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /**
         * The sender address; required.
         *
         * @throws IllegalArgumentException when it is not an e-mail address
         */
        public Builder from(String address) {
            Checks.requireUnset(from, "from");
            this.from = address(address, "from");
            return this;
        }

        /**
         * Adds a recipient (repeatable; at least one is required). A comma-separated list adds each.
         *
         * @throws IllegalArgumentException when an address is not an e-mail address
         */
        public Builder to(String address) {
            Objects.requireNonNull(address, "to");
            for (String one : address.split(",")) {
                if (!one.isBlank()) {
                    to.add(address(one.strip(), "to"));
                }
            }
            if (to.isEmpty()) {
                throw new IllegalArgumentException("to must name at least one address: '" + address + "'");
            }
            return this;
        }

        private static InternetAddress address(String value, String field) {
            Objects.requireNonNull(value, field);
            try {
                InternetAddress a = new InternetAddress(value, true);
                a.validate();
                return a;
            } catch (AddressException e) {
                throw new IllegalArgumentException(field + " must be an e-mail address: '" + value + "'", e);
            }
        }

        /** What every subject starts with (default {@code [opskit]}). */
        public Builder subjectPrefix(String value) {
            Checks.requireUnset(subjectPrefix, "subjectPrefix");
            this.subjectPrefix = Objects.requireNonNull(value, "subjectPrefix").strip();
            return this;
        }

        /**
         * The connect timeout (default 10 s, at most 5 min).
         *
         * @throws IllegalArgumentException when not positive or too long
         */
        public Builder connectTimeout(Duration value) {
            Checks.requireUnset(connectTimeout, "connectTimeout");
            this.connectTimeout = Checks.requirePositive(value, "connectTimeout", MAX_TIMEOUT);
            return this;
        }

        /** The TLS context whose trust decides which server certificates are accepted (default: the JDK's). */
        public Builder sslContext(SSLContext value) {
            this.sslContext = Checks.setOnce(this.sslContext, value, "sslContext");
            return this;
        }

        /** The wall clock for the Date header (default UTC system clock). */
        public Builder clock(Clock value) {
            this.clock = Checks.setOnce(this.clock, value, "clock");
            return this;
        }

        /**
         * One digest mail per {@code interval} (counted from the first event after the last digest)
         * instead of one mail per event; only for {@link #build()}.
         *
         * @throws IllegalArgumentException when not positive or longer than a day
         */
        public Builder digest(Duration interval) {
            Checks.requireUnset(digest, "digest");
            this.digest = Checks.requirePositive(interval, "digest", Duration.ofDays(1));
            return this;
        }

        /** The delivery with the digest's batch interval, when a {@link #digest(Duration)} was given. */
        @Override
        Delivery deliveryForBuild(Delivery given) {
            if (digest == null) {
                return given;
            }
            if (!given.batch().isZero()) {
                throw new IllegalStateException("digest was already set: the delivery batches every " + given.batch());
            }
            return given.withBatch(digest);
        }

        /**
         * A running asynchronous notifier mailing through this server; a {@link #digest(Duration)}
         * replaces the delivery's batch interval.
         *
         * @throws IllegalStateException when host, from or to is missing, or both a digest and a
         *                               delivery with its own batch interval were given
         */
        @Override
        public AsyncNotifier build() {
            return super.build();
        }

        /**
         * The notifier itself: {@code notify} sends on the caller's thread and throws on failure.
         *
         * @throws IllegalStateException when host, from or to is missing
         */
        @Override
        public EmailNotifier buildSynchronous() {
            return new EmailNotifier(this);
        }
    }
}
