package io.opskit.notify;

import io.opskit.api.OpsException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A notification could not be delivered by one attempt. {@link #isTransient()} tells the
 * {@link AsyncNotifier} whether trying again may help (a 5xx or 429 answer, a refused or timed-out
 * connection, an SMTP 4xx reply) or not (a 4xx answer, a rejected address, failed authentication,
 * a TLS certificate that is not trusted).
 *
 * <p>The message names the notifier and says what a user can do; it never contains a secret (the
 * receiver's reply is redacted).
 */
public class NotificationException extends OpsException {

    private static final long serialVersionUID = 1L;

    private final String notifier;
    private final boolean transientFailure;

    /**
     * A failure of the named notifier.
     *
     * @param notifier         the notifier's name ({@code "email"}, {@code "webhook"}, ...)
     * @param message          what failed and what a user can do
     * @param transientFailure whether another attempt may succeed
     * @param cause            the underlying error, if any
     */
    public NotificationException(String notifier, String message, boolean transientFailure,
                                 @Nullable Throwable cause) {
        super(Objects.requireNonNull(notifier, "notifier") + ": " + Objects.requireNonNull(message, "message"),
                cause);
        this.notifier = notifier;
        this.transientFailure = transientFailure;
    }

    /** The name of the notifier that failed. */
    public String notifier() {
        return notifier;
    }

    /** Whether another attempt may succeed (the receiver is down or overloaded, not refusing). */
    public boolean isTransient() {
        return transientFailure;
    }
}
