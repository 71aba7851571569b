package io.opskit.ratelimit;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What the host's provider call came back with: a success carrying the host's value and the real
 * token usage, or an HTTP error status with the response headers (so the guard can honour
 * {@code Retry-After}). A call that cannot reach the provider throws instead; timeouts
 * ({@code HttpTimeoutException}, {@code SocketTimeoutException}, {@code TimeoutException}) count
 * as timeouts, other {@code IOException}s as I/O errors.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the host's result type
 */
public final class ProviderReply<T> {

    private static final Function<String, Optional<String>> NO_HEADERS = name -> Optional.empty();

    private final @Nullable T value;
    private final @Nullable TokenUsage usage;
    private final int status;
    private final Function<String, Optional<String>> headers;

    private ProviderReply(@Nullable T value, @Nullable TokenUsage usage, int status,
                          Function<String, Optional<String>> headers) {
        this.value = value;
        this.usage = usage;
        this.status = status;
        this.headers = headers;
    }

    /**
     * A successful call.
     *
     * @param value the host's result (parsed answer, response body, ...)
     * @param usage the usage the provider reported
     */
    public static <T> ProviderReply<T> ok(T value, TokenUsage usage) {
        return new ProviderReply<>(Objects.requireNonNull(value, "value"), Objects.requireNonNull(usage, "usage"),
                200, NO_HEADERS);
    }

    /**
     * A failed call with the provider's HTTP status (429, 500, 503, 400, ...).
     *
     * @param status  the HTTP status, 400 to 599
     * @param headers header lookup by case-insensitive name, e.g. {@code response.headers()::firstValue}
     * @throws IllegalArgumentException when the status is not an error status
     */
    public static <T> ProviderReply<T> httpError(int status, Function<String, Optional<String>> headers) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP error status (400 to 599): " + status);
        }
        return new ProviderReply<>(null, null, status, Objects.requireNonNull(headers, "headers"));
    }

    /** True for a success. */
    public boolean isOk() {
        return usage != null;
    }

    /** The HTTP status: 200 for a success. */
    public int status() {
        return status;
    }

    /** The host's value; empty for an error. */
    public Optional<T> value() {
        return Optional.ofNullable(value);
    }

    /** The reported usage; empty for an error. */
    public Optional<TokenUsage> usage() {
        return Optional.ofNullable(usage);
    }

    /** The response headers of an error (empty lookups for a success). */
    public Function<String, Optional<String>> headers() {
        return headers;
    }
}
