package io.opskit.ratelimit;

import org.jspecify.annotations.Nullable;

/**
 * The provider failed the call and the retry budget is spent (or the error is not worth retrying,
 * such as HTTP 400). {@link #errorType()} says why: {@code "http_503"}, {@code "timeout"},
 * {@code "io"}, ...
 */
public final class ProviderErrorException extends AiGuardException {

    private static final long serialVersionUID = 1L;

    private final String errorType;

    /**
     * @param errorType the reason, e.g. {@code "http_500"} or {@code "timeout"}
     * @param detail    one line about the failure, without secrets
     * @param cause     the exception the call threw, or null
     */
    public ProviderErrorException(String provider, String model, String errorType, String detail,
                                  @Nullable Throwable cause) {
        super(provider, model, "provider_error", null, errorType + " (" + detail + ")", cause);
        this.errorType = errorType;
    }

    /** The failure kind, e.g. {@code "http_503"}, {@code "timeout"}, {@code "io"}. */
    public String errorType() {
        return errorType;
    }

    @Override
    public String reason() {
        return "provider_error";
    }
}
