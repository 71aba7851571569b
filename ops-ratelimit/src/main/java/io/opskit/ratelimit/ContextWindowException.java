package io.opskit.ratelimit;

import java.util.List;

/**
 * The request's input plus maximum output tokens exceed the context window of every model of the
 * chain. Shorten the prompt, lower {@code maxOutputTokens}, or add a model with a larger window.
 */
public final class ContextWindowException extends AiGuardException {

    private static final long serialVersionUID = 1L;

    /**
     * @param tokens        the request's worst-case tokens
     * @param window        the model's context window
     * @param fallbackChain the models tried, in order; empty means just this one
     */
    public ContextWindowException(String provider, String model, long tokens, long window,
                                  List<String> fallbackChain) {
        super(provider, model, AiLimit.CONTEXT_WINDOW, chainOf(provider, model, fallbackChain), null,
                tokens + " tokens (inputTokens + maxOutputTokens) exceed the context window of " + window, null);
    }
}
