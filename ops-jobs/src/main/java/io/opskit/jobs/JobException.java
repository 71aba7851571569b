package io.opskit.jobs;

import io.opskit.api.OpsException;
import org.jspecify.annotations.Nullable;

/**
 * The one exception ops-jobs throws on purpose: an unknown job, a lock store that cannot be set up.
 * The message names the job or the store and what to do.
 */
public class JobException extends OpsException {

    private static final long serialVersionUID = 1L;

    private final String subject;

    /**
     * @param subject the job or store that refused
     * @param message what happened and what to do
     * @param cause   the underlying failure, or null
     */
    public JobException(String subject, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.subject = subject;
    }

    /** @return the job or store that refused */
    public String subject() {
        return subject;
    }
}
