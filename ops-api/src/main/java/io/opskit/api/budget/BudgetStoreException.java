package io.opskit.api.budget;

import io.opskit.api.OpsException;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BudgetStore} could not carry out an operation (database unreachable, schema missing).
 * The message names the store and the operation, and never holds credentials. The AI guard
 * refuses with {@code BudgetStoreUnavailableException} (its cause is this exception) when a store
 * cannot decide an admission.
 */
public class BudgetStoreException extends OpsException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed and what the user can do; no secrets
     * @param cause   the underlying error, or null
     */
    public BudgetStoreException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
