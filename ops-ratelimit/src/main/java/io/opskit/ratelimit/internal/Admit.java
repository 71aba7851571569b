package io.opskit.ratelimit.internal;

import io.opskit.ratelimit.AiGuardException;

/** What one model answered to an admission: a lease, or the refusal (never thrown on this path). */
public sealed interface Admit {

    /** Admitted: the lease holds a place, permits and reservations. */
    record Admitted(Lease lease) implements Admit {
    }

    /** Refused, with the exception a throwing caller raises. */
    record Refused(AiGuardException refusal) implements Admit {
    }
}
