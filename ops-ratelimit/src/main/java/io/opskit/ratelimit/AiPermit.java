package io.opskit.ratelimit;

import io.opskit.api.Usd;
import java.util.Optional;

/**
 * One admitted call that the host drives itself (a stream, say), from {@link AiGuard#acquire} or
 * {@link AiGuard#tryAcquire}. It holds a place among the model's concurrent calls, its per-minute
 * permits and the worst-case cost reserved in every budget line that applies.
 *
 * <p>End it exactly once: {@link #complete} with the provider's real usage, or {@link #release}
 * when the call was never sent. Later ends are ignored. Use it in try-with-resources so that
 * {@link #close()} releases a permit that was neither completed nor released. A permit never ended
 * is reclaimed at its lease end; a {@link #complete} after that is still charged (a late report).
 *
 * <p>Thread-safe: ending races are decided once.
 */
public interface AiPermit extends AutoCloseable {

    /** The provider admitted on. */
    String provider();

    /** The model admitted on. */
    String model();

    /** The tenant that pays, when the request named one. */
    Optional<String> tenant();

    /** The worst-case cost reserved for the call. */
    Usd reserved();

    /**
     * Ends the call with its real usage and charges its cost to every budget line that applies.
     * Usage that no price can express (counts beyond any real call) is clamped and charged as the
     * most a call can cost; it never throws for large counts.
     *
     * @return the cost charged; {@link Usd#ZERO} when the permit was ended already
     */
    Usd complete(TokenUsage usage);

    /** Ends a call that was never sent: its place, permits and reservation are given back. */
    void release();

    /** Releases the permit unless it was completed or released already. */
    @Override
    void close();
}
