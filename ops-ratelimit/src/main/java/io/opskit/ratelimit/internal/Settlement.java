package io.opskit.ratelimit.internal;

import io.opskit.ratelimit.TokenUsage;
import org.jspecify.annotations.Nullable;

/**
 * How an admitted call ended, which decides what it is charged: its real usage, its whole
 * reservation (a timeout: the provider may have done the work), or nothing.
 *
 * @param usage          the real usage, for {@link Kind#COMPLETED}
 * @param kind           how it ended
 */
public record Settlement(@Nullable TokenUsage usage, Kind kind) {

    /** How a call ended. */
    public enum Kind {
        /** The provider answered with usage: charge its cost. */
        COMPLETED,
        /** The outcome is unknown (a timeout): charge the whole reservation. */
        CHARGE_RESERVED,
        /** The provider saw the request but charged nothing (429, an error): its request permit stays spent. */
        SENT_FREE,
        /** The request never left: everything goes back. */
        UNSENT
    }

    /** Charge the reservation. */
    public static final Settlement CHARGE_RESERVED = new Settlement(null, Kind.CHARGE_RESERVED);
    /** Seen by the provider, free. */
    public static final Settlement SENT_FREE = new Settlement(null, Kind.SENT_FREE);
    /** Never sent. */
    public static final Settlement UNSENT = new Settlement(null, Kind.UNSENT);

    /** A call that completed with {@code usage}. */
    public static Settlement completed(TokenUsage usage) {
        return new Settlement(usage, Kind.COMPLETED);
    }
}
