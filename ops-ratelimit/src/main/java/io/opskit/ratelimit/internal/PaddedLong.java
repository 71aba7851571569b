package io.opskit.ratelimit.internal;

/** Padding that keeps other objects' fields off the value's cache line. */
abstract class PaddedLongPad {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The value of a {@link PaddedLong}. */
abstract class PaddedLongValue extends PaddedLongPad {
    long value;
}

/**
 * A {@code long} on a cache line of its own, for a count that admissions write: the fields around
 * it that admissions only read (a period's bounds, its warning flags) then stay cached on every
 * processor. Guarded by the route's gate.
 */
final class PaddedLong extends PaddedLongValue {

    long p10, p11, p12, p13, p14, p15, p16, p17;
}
