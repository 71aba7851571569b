package io.opskit.ratelimit;

import java.util.Objects;
import java.util.Optional;

/**
 * One guarded call as the host estimates it before sending: which model it wants first, for which
 * tenant (optional), and the worst case in tokens. The guard reserves the cost of
 * {@code inputTokens} at the input price plus {@code maxOutputTokens} at the output price, and
 * charges the real usage afterwards.
 *
 * <p>Immutable and thread-safe. A host that sends the same shape of call often may build one
 * request and reuse it.
 *
 * @param provider        the provider as configured in the guard, e.g. {@code "openai"}
 * @param model           the model tried first, e.g. {@code "gpt-4o"}
 * @param tenant          whose budget pays; empty for the model's shared budget
 * @param operation       the GenAI operation name for metrics, e.g. {@code "chat"}
 * @param inputTokens     estimated prompt tokens; zero or more
 * @param maxOutputTokens the most completion tokens the call may produce (the request's
 *                        {@code max_tokens}); zero or more
 */
public record AiRequest(String provider, String model, Optional<String> tenant, String operation,
                        long inputTokens, long maxOutputTokens) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException naming the field when a token count is negative or a name
     *         is blank
     * @throws NullPointerException     when provider, model, tenant or operation is null
     */
    public AiRequest {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(operation, "operation");
        if (provider.isBlank()) {
            throw new IllegalArgumentException("provider must not be blank: '" + provider + "'");
        }
        if (model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank: '" + model + "'");
        }
        tenant.ifPresent(AiRequest::checkTenant);
        TokenUsage.nonNegative("inputTokens", inputTokens);
        TokenUsage.nonNegative("maxOutputTokens", maxOutputTokens);
    }

    /**
     * A chat request on the model's shared budget.
     *
     * @throws IllegalArgumentException naming the field when a token count is negative
     */
    public static AiRequest chat(String provider, String model, long inputTokens, long maxOutputTokens) {
        return new AiRequest(provider, model, Optional.empty(), "chat", inputTokens, maxOutputTokens);
    }

    /**
     * A copy of this request paid from {@code tenant}'s budget.
     *
     * @throws IllegalArgumentException when the tenant is blank or longer than 64 characters
     */
    public AiRequest forTenant(String tenant) {
        return new AiRequest(provider, model, Optional.of(Objects.requireNonNull(tenant, "tenant")), operation,
                inputTokens, maxOutputTokens);
    }

    /**
     * Estimated input plus maximum output tokens: what a tokens-per-minute limit reserves.
     * Saturates at {@link Long#MAX_VALUE} instead of overflowing, so a huge estimate never slips
     * under a context window or a limit.
     */
    public long worstCaseTokens() {
        long sum = inputTokens + maxOutputTokens;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static void checkTenant(String tenant) {
        if (tenant.isBlank() || tenant.length() > 64 || tenant.indexOf('/') >= 0
                || tenant.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("tenant must be 1 to 64 printable characters without '/': '"
                    + tenant + "'");
        }
    }
}
