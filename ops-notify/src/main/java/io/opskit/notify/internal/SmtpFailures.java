package io.opskit.notify.internal;

import io.opskit.api.Redactor;
import io.opskit.notify.NotificationException;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.jspecify.annotations.Nullable;

/**
 * Turns a Jakarta Mail failure into a {@link NotificationException}: SMTP 4xx replies, refused or
 * timed-out connections and unknown hosts are transient; 5xx replies, failed authentication and TLS
 * failures (an untrusted certificate, a server without STARTTLS when it is required) are not.
 */
public final class SmtpFailures {

    private SmtpFailures() {
    }

    /** The classified failure of sending to {@code server}. */
    public static NotificationException classify(String notifier, String server, MessagingException e) {
        int code = replyCode(e);
        String detail = Redactor.redact(describe(e));
        if (code >= 400 && code < 500) {
            return new NotificationException(notifier, "SMTP server " + server + " deferred the mail (" + detail
                    + "); will retry", true, e);
        }
        if (code >= 500) {
            return new NotificationException(notifier, "SMTP server " + server + " refused the mail (" + detail
                    + "); check the from and to addresses and the server's relay rules", false, e);
        }
        if (find(e, AuthenticationFailedException.class) != null) {
            return new NotificationException(notifier, "SMTP server " + server + " refused the credentials ("
                    + detail + "); check the user and password", false, e);
        }
        if (find(e, SSLException.class) != null) {
            return new NotificationException(notifier, "TLS with SMTP server " + server + " failed (" + detail
                    + "); check that the server's certificate is trusted and names the host", false, e);
        }
        if (String.valueOf(e.getMessage()).contains("STARTTLS is required")) {
            return new NotificationException(notifier, "SMTP server " + server + " does not offer STARTTLS, which is "
                    + "required; nothing was sent in the clear (use security TLS or a server that supports STARTTLS)",
                    false, e);
        }
        boolean io = find(e, ConnectException.class) != null || find(e, SocketTimeoutException.class) != null
                || find(e, UnknownHostException.class) != null || find(e, IOException.class) != null
                || e.getClass().getSimpleName().equals("MailConnectException");
        return new NotificationException(notifier, (io ? "could not talk to SMTP server " : "sending through SMTP server ")
                + server + " failed (" + detail + ")" + (io ? "; check that it is up and reachable" : ""), io, e);
    }

    private static int replyCode(Throwable e) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof SMTPSendFailedException s && s.getReturnCode() > 0) {
                return s.getReturnCode();
            }
            if (t instanceof SMTPAddressFailedException s && s.getReturnCode() > 0) {
                return s.getReturnCode();
            }
            if (t instanceof SMTPSenderFailedException s && s.getReturnCode() > 0) {
                return s.getReturnCode();
            }
        }
        return -1;
    }

    private static @Nullable Throwable next(Throwable t) {
        if (t instanceof MessagingException m && m.getNextException() != null && m.getNextException() != t) {
            return m.getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }

    private static <T extends Throwable> @Nullable T find(Throwable e, Class<T> type) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 20; t = next(t), depth++) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        for (Throwable t = e; t != null && depth < 4; t = next(t), depth++) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().strip();
            if (sb.indexOf(m) < 0) {
                sb.append(sb.length() == 0 ? "" : "; ").append(m);
            }
        }
        return sb.toString().replaceAll("\\s+", " ");
    }
}
