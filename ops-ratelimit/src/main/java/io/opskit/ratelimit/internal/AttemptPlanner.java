package io.opskit.ratelimit.internal;

import io.opskit.ratelimit.AiGuardException;
import io.opskit.ratelimit.ConcurrencyFullException;
import io.opskit.ratelimit.ProviderErrorException;
import io.opskit.ratelimit.RateLimitedException;
import io.opskit.ratelimit.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Plans the attempts of one guarded call as a small state machine: a round tries each model of the
 * fallback chain in order without waiting; a model refused for want of a place is then waited for
 * (parked, one wait budget for the whole chain and the whole call); a retryable provider failure
 * ends the round, and a new round starts after the backoff (or the provider's longer
 * {@code Retry-After}); rate refusals and 429 pauses start a new round when the soonest of them
 * clears. Budget, breaker, context-window and tenant refusals are final for the round. Every step
 * stays within the retry policy's attempts and elapsed time.
 *
 * <p>Not thread-safe: one planner per call.
 */
public final class AttemptPlanner {

    /** What to do next. */
    public sealed interface Step {
    }

    /** Try to admit and send on {@code route}, parking up to {@code waitNanos} for a place. */
    public record Try(Route route, long waitNanos) implements Step {
    }

    /** Sleep, then start a new round. */
    public record Wait(Duration duration) implements Step {
    }

    /** Stop: throw {@code error}. */
    public record GiveUp(AiGuardException error) implements Step {
    }

    private final Route[] chain;
    private final RetryPolicy retry;
    private final DoubleSupplier jitter;
    private final long deadline;
    private final long waitDeadline;
    private int next;
    private int attempts;
    private int retries;
    private final List<AiGuardException> refusals = new ArrayList<>();
    private @Nullable ProviderErrorException failure;
    private @Nullable Duration failureRetryAfter;
    private long soonest = Long.MAX_VALUE;
    private @Nullable Route firstFull;
    private @Nullable AiGuardException waitedRefusal;

    /**
     * @param chain     the requested model and its fallbacks, in order
     * @param startNanos the ticker when the call started
     * @param waitNanos the wait budget for a place, shared by the whole chain
     */
    public AttemptPlanner(Route[] chain, RetryPolicy retry, DoubleSupplier jitter, long startNanos, long waitNanos) {
        this.chain = chain;
        this.retry = retry;
        this.jitter = jitter;
        this.deadline = startNanos + retry.maxElapsed().toNanos();
        this.waitDeadline = startNanos + waitNanos;
    }

    /** Attempts sent so far. */
    public int attempts() {
        return attempts;
    }

    /** The deadline of the whole call, ticker nanoseconds. */
    public long deadline() {
        return deadline;
    }

    /** The next step at ticker time {@code now}. */
    public Step next(long now) {
        if (attempts < retry.maxAttempts() && next < chain.length) {
            return new Try(chain[next++], 0);
        }
        Route full = firstFull;
        if (full != null && attempts < retry.maxAttempts() && waitDeadline - now > 0) {
            firstFull = null;
            return new Try(full, waitDeadline - now);
        }
        AiGuardException best = best();
        if (attempts >= retry.maxAttempts() || retry.maxAttempts() == 1) {
            return new GiveUp(best);
        }
        long wait;
        if (failure != null) {
            wait = retry.backoff(retries + 1, jitter.getAsDouble()).toNanos();
            if (failureRetryAfter != null) {
                wait = Math.max(wait, failureRetryAfter.toNanos()); // the provider's Retry-After, when longer
            }
        } else if (soonest != Long.MAX_VALUE) {
            wait = Math.max(soonest, 1);
        } else {
            return new GiveUp(best); // budget, breaker, tenants, or no place within the wait budget
        }
        if (now + wait - deadline >= 0) {
            return new GiveUp(best);
        }
        retries++;
        next = 0;
        refusals.clear();
        failure = null;
        failureRetryAfter = null;
        soonest = Long.MAX_VALUE;
        firstFull = null;
        waitedRefusal = null;
        return new Wait(Duration.ofNanos(wait));
    }

    /** {@code route} refused before sending (the step was a {@link Try} with {@code waitNanos}). */
    public void refused(Route route, long waitNanos, AiGuardException refusal) {
        refusals.add(refusal);
        if (waitNanos > 0) {
            waitedRefusal = refusal;
        }
        if (refusal instanceof RateLimitedException) {
            soonest = Math.min(soonest, refusal.retryAfter().map(Duration::toNanos).orElse(Long.MAX_VALUE));
        } else if (refusal instanceof ConcurrencyFullException && firstFull == null && waitNanos == 0) {
            firstFull = route;
        }
    }

    /** An attempt was admitted and sent. */
    public void sent() {
        attempts++;
    }

    /** The provider answered 429: the model is paused; the round goes on with the next model. */
    public void paused(RateLimitedException refusal) {
        refused(chain[Math.max(0, next - 1)], 0, refusal);
    }

    /**
     * The provider failed. A retryable failure ends the round (back off, start again from the first
     * model); one that is not ends the call.
     *
     * @param retryAfter the provider's {@code Retry-After} on a 503, or null
     * @return a step to give up at once, or null to continue
     */
    public @Nullable GiveUp failed(ProviderErrorException error, boolean retryable, @Nullable Duration retryAfter) {
        if (!retryable) {
            return new GiveUp(error);
        }
        failure = error;
        failureRetryAfter = retryAfter;
        next = chain.length;
        firstFull = null;
        return null;
    }

    private AiGuardException best() {
        AiGuardException best = failure != null ? failure : waitedRefusal != null ? waitedRefusal
                : refusals.isEmpty() ? null : refusals.get(0);
        if (best == null) {
            throw new IllegalStateException("a round ended without a refusal or a failure");
        }
        for (AiGuardException other : refusals) {
            if (other != best) {
                best.addSuppressed(other);
            }
        }
        return best;
    }
}
