package io.opskit.api;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception an Opskit module throws on purpose: each module has one base type
 * below it ({@code AiGuardException}, {@code BackupException}, ...), and each kind of refusal is one
 * subtype that names the thing that refused and what a user can do about it.
 *
 * <p>Bad arguments remain {@link IllegalArgumentException}, a missing required setting
 * {@link IllegalStateException}, and a missing argument {@link NullPointerException}: those are
 * programming errors, not operational refusals.
 */
public abstract class OpsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what happened, for a person; not null
     */
    protected OpsException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what happened, for a person; not null
     * @param cause   the underlying failure, or null
     */
    protected OpsException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
