package io.opskit.ratelimit;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The provider failed the call and the retry budget is spent (or the error is not worth retrying,
 * such as HTTP 400). {@link #errorType()} says why: {@code "503"}-style {@code "http_503"},
 * {@code "timeout"}, {@code "io"}, ...
 */
public final class ProviderErrorException extends AiGuardException {

    private static final long serialVersionUID = 1L;

    private final String errorType;

    /**
     * @param fallbackChain the models tried, in order; empty means just this one
     * @param errorType     the reason, e.g. {@code "http_500"} or {@code "timeout"}
     * @param detail        one line about the failure, without secrets
     * @param cause         the exception the call threw, or null
     */
    public ProviderErrorException(String provider, String model, List<String> fallbackChain, String errorType,
                                  String detail, @Nullable Throwable cause) {
        super(provider, model, AiLimit.PROVIDER_ERROR, chainOf(provider, model, fallbackChain), null,
                errorType + " (" + detail + ")", cause);
        this.errorType = errorType;
    }

    /** The failure kind, e.g. {@code "http_503"}, {@code "timeout"}, {@code "io"}. */
    public String errorType() {
        return errorType;
    }
}
