package io.opskit.api.budget;

import org.jspecify.annotations.Nullable;

/**
 * A {@link BudgetStore} could not carry out an operation (database unreachable, schema missing).
 * The message names the store and the operation, and never holds credentials.
 */
public class BudgetStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed and what the user can do; no secrets
     * @param cause   the underlying error, or null
     */
    public BudgetStoreException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
