package io.opskit.notify;

/** How {@link EmailNotifier} protects its SMTP connection. */
public enum SmtpSecurity {
    /** Plain SMTP (port 25 by default). Only for a relay on the same host or network. */
    NONE("none"),
    /** Plain connection upgraded with STARTTLS, which the server must offer (port 587 by default). */
    STARTTLS("starttls"),
    /** TLS from the first byte, "SMTPS" (port 465 by default). */
    TLS("tls");

    private final String wireName;

    SmtpSecurity(String wireName) {
        this.wireName = wireName;
    }

    /** The stable lower-case name ({@code none}, {@code starttls}, {@code tls}). */
    public String wireName() {
        return wireName;
    }

    /** The usual port for this security. */
    public int defaultPort() {
        return switch (this) {
            case NONE -> 25;
            case STARTTLS -> 587;
            case TLS -> 465;
        };
    }
}
