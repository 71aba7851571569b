package io.opskit.ratelimit.internal;

import io.opskit.ratelimit.TokenUsage;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where the guard reports what it measured. Every method defaults to doing nothing, so a guard
 * without a {@code MeterRegistry} records nothing; the Micrometer implementation is the only class
 * that touches Micrometer, so the dependency stays optional. {@code tenant} is null unless the host
 * opted in to tenant tags.
 */
public interface GuardMetrics {

    /** Records nothing. */
    GuardMetrics NONE = new GuardMetrics() { };

    /** The guard started with these routes and fixed budget lines: counters are registered at zero here. */
    default void start(List<Route> routes, GuardContext ctx) {
    }

    /** A call refused before it was sent; {@code reason} as {@code AiLimit.reason()}. */
    default void rejected(Route route, @Nullable String tenant, String reason) {
    }

    /** A provider attempt failed; {@code errorType} e.g. {@code http_429}, {@code timeout}. */
    default void providerError(Route route, String errorType) {
    }

    /** One attempt's duration; {@code errorType} null on success (the attribute is then left out). */
    default void duration(Route route, String operation, @Nullable String errorType, long nanos) {
    }

    /** Tokens and cost of a completed call. */
    default void usage(Route route, String operation, @Nullable String tenant, TokenUsage usage, long costMicros) {
    }

    /** Time from sending to the first streamed chunk. */
    default void timeToFirstToken(Route route, String operation, long nanos) {
    }

}
